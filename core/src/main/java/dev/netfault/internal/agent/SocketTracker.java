package dev.netfault.internal.agent;

import dev.netfault.internal.boot.NetFaultHooks;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records the sockets and channels a test opens (on its thread and on threads started from it), so
 * that those still open when it ends can be reported with where they were opened.
 */
public final class SocketTracker {

    /** One socket that was opened and is still open. */
    public record Leak(String kind, String local, String remote, StackTraceElement[] openedAt, String thread) {
        /** {@return a multi-line description} */
        public String describe() {
            StringBuilder s = new StringBuilder(kind).append(" local ").append(local);
            if (remote != null) {
                s.append(" remote ").append(remote);
            }
            if (thread != null) {
                s.append(", opened on thread '").append(thread).append("' (a thread the test did not start: a client's own task or pool thread)");
            }
            s.append(", opened at:");
            for (StackTraceElement frame : openedAt) {
                s.append("\n\t\tat ").append(frame);
            }
            return s.toString();
        }
    }

    private static final InheritableThreadLocal<Session> CURRENT = new InheritableThreadLocal<>();
    /** Every active session, for sockets opened on threads no session reaches (a client's JVM-wide task threads). */
    private static final Set<Session> SESSIONS = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger ACTIVE = new AtomicInteger();

    private SocketTracker() {
    }

    /** A tracking session: everything the starting thread (and threads it starts) opens until {@link #stop()}. */
    public static final class Session {
        private final List<Object> sockets = new ArrayList<>();
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<StackTraceElement[]> stacks = new ArrayList<>();
        private final List<String> threads = new ArrayList<>();
        private boolean stopped;

        synchronized boolean isStopped() {
            return stopped;
        }

        synchronized void add(Object socket, StackTraceElement[] stack, String thread) {
            if (!stopped && seen.add(socket)) { // chained constructors report the same socket twice
                sockets.add(socket);
                stacks.add(stack);
                threads.add(thread);
            }
        }

        /** Stops tracking. {@return the sockets that are still open} */
        public List<Leak> stop() {
            List<Leak> leaks = new ArrayList<>();
            synchronized (this) {
                if (stopped) {
                    return leaks;
                }
                stopped = true;
                for (int i = 0; i < sockets.size(); i++) {
                    Leak leak = leakOf(sockets.get(i), stacks.get(i), threads.get(i));
                    if (leak != null) {
                        leaks.add(leak);
                    }
                }
                sockets.clear();
                stacks.clear();
                threads.clear();
                seen.clear();
            }
            SESSIONS.remove(this);
            if (CURRENT.get() == this) {
                CURRENT.remove();
            }
            synchronized (ACTIVE) {
                if (ACTIVE.decrementAndGet() == 0) {
                    NetFaultHooks.tracking = false;
                }
            }
            return leaks;
        }
    }

    /** Starts tracking for the current thread and the threads it starts. Installs the agent if needed. */
    public static Session start() {
        AgentInstaller.install();
        Session session = new Session();
        CURRENT.set(session);
        SESSIONS.add(session);
        NetFaultHooks.openedHook = SocketTracker::opened;
        synchronized (ACTIVE) { // with stop(): the flag is never left off while a session is active
            ACTIVE.incrementAndGet();
            NetFaultHooks.tracking = true;
        }
        return session;
    }

    private static void opened(Object socket) {
        if (Thread.currentThread() instanceof InternalThread) {
            return;
        }
        Session session = CURRENT.get();
        String foreignThread = null;
        if (session == null || session.isStopped()) {
            // A thread no test started (OkHttp 5's TaskRunner, a shared executor), or one an earlier test started and that
            // outlived it (it inherited that test's stopped session): the socket is the tracking test's when exactly one test
            // tracks, the thread is not some other test's own (no test framework on its stack), and the thread did not
            // accept it (a server started outside the test: its connections end when their clients' do).
            Object[] active = SESSIONS.toArray();
            if (active.length != 1 || onATestThread() || accepting()) {
                return;
            }
            session = (Session) active[0];
            foreignThread = Thread.currentThread().getName();
        }
        String type = socket.getClass().getName();
        if (type.equals("sun.nio.ch.SocketAdaptor") || type.equals("sun.nio.ch.ServerSocketAdaptor")) {
            return; // the socket view of a channel: the channel itself is tracked
        }
        StackTraceElement[] stack = new Throwable().getStackTrace();
        int first = 0;
        for (int i = 1; i < stack.length; i++) { // 0 is this method
            String c = stack[i].getClassName();
            if (c.startsWith("dev.netfault.internal.boot.") || c.startsWith(SocketTracker.class.getName())) {
                first = i + 1;
                continue;
            }
            if (c.startsWith("dev.netfault.internal.") || c.startsWith("dev.netfault.junit.internal.") || c.equals("dev.netfault.HeldPort")) {
                return; // netfault's own sockets are not the test's leaks
            }
            if (isPlumbing(c) && first == i) {
                first = i + 1;
            }
        }
        if (first >= stack.length) { // all plumbing (a Netty event loop accepting): keep the plumbing
            first = Math.min(firstAfterNetfault(stack), stack.length - 1);
        }
        int end = first + 1;
        while (end < stack.length && end < first + 12 && !isHarness(stack[end].getClassName())) {
            end++;
        }
        session.add(socket, Arrays.copyOfRange(stack, first, Math.min(stack.length, end)), foreignThread);
    }

    /** {@return whether the current thread is accepting a connection (a server's accept loop, JDK or Netty)} */
    private static boolean accepting() {
        for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
            String method = frame.getMethodName();
            if (isPlumbing(frame.getClassName()) && (method.startsWith("accept") || method.equals("implAccept")
                    || method.equals("finishAccept") || method.equals("newChildChannel") || method.equals("doReadMessages"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean onATestThread() {
        for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
            if (frame.getClassName().startsWith("org.junit.")) {
                return true;
            }
        }
        return false;
    }

    private static int firstAfterNetfault(StackTraceElement[] stack) {
        int first = 0;
        for (int i = 1; i < stack.length; i++) {
            String c = stack[i].getClassName();
            if (c.startsWith("dev.netfault.internal.boot.") || c.startsWith(SocketTracker.class.getName())) {
                first = i + 1;
            }
        }
        return first;
    }

    /** Frames from here on are the test framework's, not the code under test. */
    private static boolean isHarness(String className) {
        return className.startsWith("jdk.internal.reflect.") || className.startsWith("java.lang.reflect.")
                || className.startsWith("org.junit.");
    }

    private static boolean isPlumbing(String className) {
        return className.startsWith("java.net.Socket")
                || className.startsWith("java.net.ServerSocket") || className.startsWith("sun.nio.ch.")
                || className.startsWith("java.nio.channels.") || className.startsWith("java.nio.channels.spi.")
                // Netty (any copy) opening a native socket, through its reflective channel factory
                || className.contains("io.netty.") || className.startsWith("jdk.internal.reflect.")
                || className.startsWith("java.lang.reflect.");
    }

    private static Leak leakOf(Object socket, StackTraceElement[] stack, String thread) {
        if (NettySupport.isNettySocket(socket)) {
            String[] open = NettySupport.describeOpen(socket);
            return open == null ? null : new Leak(open[0], open[1], open[2], stack, thread);
        }
        try {
            if (socket instanceof Socket s) {
                if (s.isClosed() || !(s.isBound() || s.isConnected())) {
                    return null;
                }
                return new Leak("Socket", String.valueOf(s.getLocalSocketAddress()), String.valueOf(s.getRemoteSocketAddress()), stack, thread);
            }
            if (socket instanceof ServerSocket s) {
                return s.isClosed() || !s.isBound() ? null : new Leak("ServerSocket", String.valueOf(s.getLocalSocketAddress()), null, stack, thread);
            }
            if (socket instanceof NetworkChannel channel && channel.isOpen()) {
                SocketAddress remote = channel instanceof SocketChannel sc ? sc.getRemoteAddress() : null;
                String kind = channel instanceof SocketChannel ? "SocketChannel" : "ServerSocketChannel";
                return new Leak(kind, String.valueOf(channel.getLocalAddress()), remote == null ? null : remote.toString(), stack, thread);
            }
        } catch (IOException e) {
            return null; // closed meanwhile
        }
        return null;
    }
}
