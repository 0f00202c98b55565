package dev.netfault.internal.agent;

import dev.netfault.AcceptError;
import dev.netfault.AgentRule;
import dev.netfault.Target;
import dev.netfault.internal.boot.NetFaultHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rules the socket agent applies, and the hook functions that apply them. Rules are kept in
 * concurrent collections: the hooks run on whatever thread the application connects, reads or
 * accepts on (including {@code HttpClient}'s selector thread).
 */
public final class AgentRules {

    private static final List<ConnectRule> CONNECT_RULES = new CopyOnWriteArrayList<>();
    private static final Map<FileDescriptor, ArmedTimeout> ARMED = new ConcurrentHashMap<>();
    private static final Map<Integer, AcceptFailures> ACCEPT_FAILURES = new ConcurrentHashMap<>();
    private static final Map<String, ResolveFailure> RESOLVE_FAILURES = new ConcurrentHashMap<>();
    private static final ScheduledThreadPoolExecutor TIMER;
    private static volatile boolean viaJavaagent;

    static {
        TIMER = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new InternalThread(task, "netfault-agent-timer");
            thread.setDaemon(true);
            return thread;
        });
        TIMER.setKeepAliveTime(1, TimeUnit.SECONDS);
        TIMER.allowCoreThreadTimeOut(true);
        TIMER.setRemoveOnCancelPolicy(true);
    }

    private AgentRules() {
    }

    static void start(boolean javaagent) {
        viaJavaagent = javaagent;
        NetFaultHooks.connectHook = AgentRules::onConnect;
        NetFaultHooks.ioHook = AgentRules::onIo;
        NetFaultHooks.acceptHook = AgentRules::onAccept;
        NetFaultHooks.resolveHook = AgentRules::onResolve;
    }

    /** {@return whether the agent was loaded with -javaagent rather than by self-attach} */
    public static boolean loadedAsJavaagent() {
        return viaJavaagent;
    }

    private static void refresh() {
        NetFaultHooks.active = !CONNECT_RULES.isEmpty() || !ACCEPT_FAILURES.isEmpty() || !RESOLVE_FAILURES.isEmpty();
        NetFaultHooks.ioActive = !ARMED.isEmpty();
    }

    // ---- rules ---------------------------------------------------------------------------------

    /** Connections to {@code target} go to {@code destination} instead. */
    public static AgentRule redirect(Target target, InetSocketAddress destination) {
        return add(new ConnectRule(target, destination, null, "redirect " + target + " to " + destination, null));
    }

    /** Connections to {@code target} are refused by the kernel: they go to a port bound by nobody listening. */
    public static AgentRule refuse(Target target) {
        SocketChannel closedPort = null;
        try {
            closedPort = SocketChannel.open(StandardProtocolFamily.INET);
            closedPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress destination = (InetSocketAddress) closedPort.getLocalAddress();
            return add(new ConnectRule(target, destination, null, "refuse " + target, closedPort));
        } catch (IOException e) {
            closeQuietly(closedPort);
            throw new IllegalStateException("netfault could not reserve a closed loopback port", e);
        }
    }

    /** Connections to {@code target} time out once established for {@code after}: reads and writes fail with ETIMEDOUT. */
    public static AgentRule timeOut(Target target, Duration after) {
        return add(new ConnectRule(target, null, after, "time out connections to " + target + " after " + after.toMillis() + " ms", null));
    }

    /**
     * The next {@code times} accepts on the listening {@code port} fail with {@code error}; port 0:
     * the next {@code times} accepts on each listening port.
     */
    public static AgentRule failAccept(int port, int times, AcceptError error) {
        AcceptFailures rule = new AcceptFailures(port, times, error);
        if (ACCEPT_FAILURES.putIfAbsent(port, rule) != null) {
            throw new IllegalStateException(port == 0 ? "accepts on every port already fail under another rule"
                    : "accepts on port " + port + " already fail under another rule");
        }
        refresh();
        return rule;
    }

    /** Resolving {@code host} fails with {@code UnknownHostException}. */
    public static AgentRule failResolution(String host) {
        ResolveFailure rule = new ResolveFailure(host.toLowerCase(Locale.ROOT));
        if (RESOLVE_FAILURES.putIfAbsent(rule.host, rule) != null) {
            throw new IllegalStateException("resolving " + host + " already fails under another rule");
        }
        refresh();
        return rule;
    }

    private static AgentRule add(ConnectRule rule) {
        CONNECT_RULES.add(rule);
        refresh();
        return rule;
    }

    // ---- hooks ---------------------------------------------------------------------------------

    private static Object onConnect(Object[] call) {
        if (Thread.currentThread() instanceof InternalThread) {
            return null; // netfault's own connections (a listener relaying to the real target) pass
        }
        FileDescriptor fd = (FileDescriptor) call[0];
        InetAddress address = (InetAddress) call[1];
        int port = (Integer) call[2];
        String text = address.toString(); // "name/literal": the name the application used, without a reverse lookup
        String nameUsed = text.substring(0, Math.max(0, text.indexOf('/')));
        Object decision = null;
        for (ConnectRule rule : CONNECT_RULES) {
            if (rule.target.matches(nameUsed, address, port, rule.resolved)) {
                if (rule.timeoutAfter != null) {
                    arm(fd, rule);
                } else if (decision == null) {
                    decision = rule.destination;
                }
            }
        }
        return decision;
    }

    private static void arm(FileDescriptor fd, ConnectRule rule) {
        ArmedTimeout armed = new ArmedTimeout(fd, rule, System.nanoTime() + rule.timeoutAfter.toNanos());
        ARMED.put(fd, armed);
        rule.armed.add(armed);
        if (!rule.timeoutAfter.isZero()) {
            armed.timer = TIMER.schedule(armed::fire, rule.timeoutAfter.toNanos(), TimeUnit.NANOSECONDS);
        }
        refresh();
    }

    private static IOException onIo(Object[] call) {
        ArmedTimeout armed = ARMED.get((FileDescriptor) call[0]);
        if (armed == null) {
            return null;
        }
        boolean afterRead = (Boolean) call[2];
        if (!afterRead && armed.state.get() == ArmedTimeout.WAITING && System.nanoTime() - armed.deadline >= 0) {
            armed.fire();
        }
        // The first operation after the fault reports ETIMEDOUT; later ones see the shut-down
        // socket as the kernel leaves it: read -1, write "Broken pipe".
        if (armed.state.compareAndSet(ArmedTimeout.FIRED, ArmedTimeout.REPORTED)) {
            armed.disarm(); // reported: from now on the shut-down socket speaks for itself
            refresh();
            return new IOException("Connection timed out");
        }
        return null;
    }

    private static IOException onAccept(int port) {
        if (Thread.currentThread() instanceof InternalThread) {
            return null; // netfault's own listeners accept
        }
        AcceptFailures rule = ACCEPT_FAILURES.get(port);
        if (rule == null) {
            rule = ACCEPT_FAILURES.get(0); // a rule for every port
        }
        if (rule != null && rule.remaining(port).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            rule.failed.incrementAndGet();
            return new IOException(rule.error.message());
        }
        return null;
    }

    private static Object onResolve(String host) {
        ResolveFailure failure = RESOLVE_FAILURES.get(host.toLowerCase(Locale.ROOT));
        if (failure != null) {
            // As the JDK: the first lookup reports the resolver's error, later ones come from its negative cache.
            return new UnknownHostException(failure.first.compareAndSet(true, false) ? host + ": Name or service not known" : host);
        }
        for (ConnectRule rule : CONNECT_RULES) {
            if (rule.standIn != null && rule.target.host().equalsIgnoreCase(host)) {
                try {
                    // a new array and address each time: callers may change what they get
                    return new InetAddress[] {InetAddress.getByAddress(host, rule.standIn.getAddress())};
                } catch (UnknownHostException impossible) {
                    throw new IllegalStateException(impossible); // four bytes are always a valid address
                }
            }
        }
        return null;
    }

    /** Stand-in addresses for target names that do not resolve: 127.77.0.1, 127.77.0.2, ... (loopback, never routed). */
    private static final AtomicInteger STAND_INS = new AtomicInteger();

    private static InetAddress standInFor(Target target, InetAddress[] resolved) {
        String host = target.host();
        if (host == null || resolved.length > 0 || isLiteral(host)) {
            return null;
        }
        int n = 1 + Math.floorMod(STAND_INS.getAndIncrement(), 65_534);
        try {
            return InetAddress.getByAddress(host, new byte[] {127, 77, (byte) (n >> 8), (byte) n});
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    // ---- self-check ----------------------------------------------------------------------------

    /** Proves the connect hook runs: a connect to a closed port is redirected to a live listener. */
    static void selfCheck() {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.INET);
             SocketChannel closed = SocketChannel.open(StandardProtocolFamily.INET)) {
            live.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int closedPort = ((InetSocketAddress) closed.getLocalAddress()).getPort();
            try (AgentRule probe = redirect(new Target(InetAddress.getLoopbackAddress().getHostAddress(), closedPort),
                    (InetSocketAddress) live.getLocalAddress());
                 SocketChannel client = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort))) {
                if (!client.isConnected()) {
                    throw new IllegalStateException("the probe connection did not complete");
                }
            }
        } catch (ConnectException e) {
            throw new IllegalStateException("the connect hook did not run: a connect that netfault redirects was refused", e);
        } catch (IOException e) {
            throw new IllegalStateException("the self-check could not run", e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a socket that never connected holds nothing
            }
        }
    }

    // ---- rule types ----------------------------------------------------------------------------

    private static final class ConnectRule implements AgentRule {
        final Target target;
        final InetAddress[] resolved;
        /** For a target name that does not resolve: the address its lookups get while the rule is active. */
        final InetAddress standIn;
        final InetSocketAddress destination;
        final Duration timeoutAfter;
        final String description;
        final SocketChannel reserved;
        final List<ArmedTimeout> armed = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closed = new AtomicBoolean();

        ConnectRule(Target target, InetSocketAddress destination, Duration timeoutAfter, String description, SocketChannel reserved) {
            this.target = target;
            this.resolved = target.resolve();
            this.standIn = destination != null ? standInFor(target, resolved) : null;
            this.destination = destination;
            this.timeoutAfter = timeoutAfter;
            this.description = standIn == null ? description
                    : description + " (" + target.host() + " does not resolve: its lookups get " + standIn.getHostAddress()
                            + " while the rule is active)";
            this.reserved = reserved;
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                CONNECT_RULES.remove(this);
                for (ArmedTimeout a : armed) {
                    a.disarm();
                }
                closeQuietly(reserved);
                refresh();
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static final class ArmedTimeout {
        static final int WAITING = 0;
        static final int FIRED = 1;
        static final int REPORTED = 2;
        final FileDescriptor fd;
        final ConnectRule rule;
        final long deadline;
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile ScheduledFuture<?> timer;

        ArmedTimeout(FileDescriptor fd, ConnectRule rule, long deadline) {
            this.fd = fd;
            this.rule = rule;
            this.deadline = deadline;
        }

        void fire() {
            if (state.compareAndSet(WAITING, FIRED)) {
                // What the kernel does when its retransmissions give up: the connection is dead both ways.
                AgentInstaller.shutdown(fd);
            }
        }

        void disarm() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            ARMED.remove(fd, this);
        }
    }

    private static final class AcceptFailures implements AgentRule {
        /** The listening port, or 0 for every port. */
        final int port;
        final int times;
        final AcceptError error;
        /** Accepts still to fail, per listening port. */
        final Map<Integer, AtomicInteger> remaining = new ConcurrentHashMap<>();
        final AtomicInteger failed = new AtomicInteger();

        AcceptFailures(int port, int times, AcceptError error) {
            this.port = port;
            this.times = times;
            this.error = error;
        }

        AtomicInteger remaining(int listeningPort) {
            return remaining.computeIfAbsent(listeningPort, p -> new AtomicInteger(times));
        }

        @Override
        public String describe() {
            String where = port == 0 ? "the first " + times + " accepts on every port" : "accepts on port " + port;
            return "fail " + where + " with " + error + " (" + failed.get() + " failed so far)";
        }

        @Override
        public void close() {
            if (ACCEPT_FAILURES.remove(port, this)) {
                refresh();
            }
        }
    }

    private static final class ResolveFailure implements AgentRule {
        final String host;
        final AtomicBoolean first = new AtomicBoolean(true);

        ResolveFailure(String host) {
            this.host = host;
        }

        @Override
        public String describe() {
            return "fail resolving " + host;
        }

        @Override
        public void close() {
            if (RESOLVE_FAILURES.remove(host, this)) {
                refresh();
            }
        }
    }
}
