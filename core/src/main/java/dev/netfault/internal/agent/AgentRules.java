package dev.netfault.internal.agent;

import dev.netfault.AcceptError;
import dev.netfault.AgentRule;
import dev.netfault.Target;
import dev.netfault.internal.OwnPorts;
import dev.netfault.internal.Targets;
import dev.netfault.internal.boot.NetFaultHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rules the socket agent applies, and the hook functions that apply them. Rules are kept in
 * concurrent collections: the hooks run on whatever thread the application connects, reads or
 * accepts on (including {@code HttpClient}'s selector thread). Every change to the rules and to the
 * armed connections happens under one lock, which also recomputes the hooks' {@code active} flags,
 * so a rule added on one thread while another removes its own is never switched off.
 *
 * <p>The connect hook runs for every connect once the agent is installed and remembers the
 * application's connections (weakly, by file descriptor), so that a rule made later reaches the
 * connections that were already open: see {@link #reachExisting}.
 */
public final class AgentRules {

    private static final Object LOCK = new Object();
    private static final List<ConnectRule> CONNECT_RULES = new CopyOnWriteArrayList<>();
    private static final Map<FileDescriptor, ArmedFault> ARMED = new ConcurrentHashMap<>();
    /** The application's open connections, by file descriptor, as it asked for them (weak: a dropped socket goes). */
    private static final Map<FileDescriptor, Known> KNOWN = Collections.synchronizedMap(new WeakHashMap<>());
    private static volatile MethodHandle connectionReset;
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
        try {
            // What SocketDispatcher.read throws for ECONNRESET; NioSocketImpl turns it into its sticky "Connection reset".
            Class<?> type = Class.forName("sun.net.ConnectionResetException");
            connectionReset = MethodHandles.lookup().findConstructor(type, MethodType.methodType(void.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sun.net.ConnectionResetException is not reachable", e);
        }
        NetFaultHooks.connectHook = AgentRules::onConnect;
        NetFaultHooks.connectedHook = AgentRules::onConnected;
        NetFaultHooks.ioHook = AgentRules::onIo;
        NetFaultHooks.acceptHook = AgentRules::onAccept;
        NetFaultHooks.resolveHook = AgentRules::onResolve;
        NetFaultHooks.recording = true;
    }

    /** {@return whether the agent was loaded with -javaagent rather than by self-attach} */
    public static boolean loadedAsJavaagent() {
        return viaJavaagent;
    }

    /** Changes the rules or armed connections and recomputes the hooks' flags, atomically. */
    private static void update(Runnable change) {
        synchronized (LOCK) {
            change.run();
            NetFaultHooks.active = !CONNECT_RULES.isEmpty() || !ACCEPT_FAILURES.isEmpty() || !RESOLVE_FAILURES.isEmpty();
            NetFaultHooks.ioActive = !ARMED.isEmpty();
        }
    }

    // ---- rules ---------------------------------------------------------------------------------

    /** Connections to {@code target} go to {@code destination} instead. */
    public static AgentRule redirect(Target target, InetSocketAddress destination) {
        return add(new ConnectRule(target, destination, null, "redirect " + target + " to " + destination, null), true);
    }

    /** Connections to {@code target} are refused by the kernel: they go to a port bound by nobody listening. */
    public static AgentRule refuse(Target target) {
        SocketChannel closedPort = null;
        try {
            closedPort = SocketChannel.open(StandardProtocolFamily.INET);
            closedPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress destination = (InetSocketAddress) closedPort.getLocalAddress();
            OwnPorts.register(closedPort);
            return add(new ConnectRule(target, destination, null, "refuse " + target, closedPort), true);
        } catch (IOException e) {
            closeQuietly(closedPort);
            throw new IllegalStateException("netfault could not reserve a closed loopback port", e);
        }
    }

    /** Connections to {@code target} time out once established for {@code after}: reads and writes fail with ETIMEDOUT. */
    public static AgentRule timeOut(Target target, Duration after) {
        return add(new ConnectRule(target, null, after, "time out connections to " + target + " after " + after.toMillis() + " ms", null), true);
    }

    /**
     * The next {@code times} accepts on the listening {@code port} fail with {@code error}; port 0:
     * the next {@code times} accepts on each listening port.
     */
    public static AgentRule failAccept(int port, int times, AcceptError error) {
        AcceptFailures rule = new AcceptFailures(port, times, error);
        synchronized (LOCK) {
            if (ACCEPT_FAILURES.containsKey(port)) {
                throw new IllegalStateException(port == 0 ? "accepts on every port already fail under another rule"
                        : "accepts on port " + port + " already fail under another rule");
            }
            update(() -> ACCEPT_FAILURES.put(port, rule));
        }
        return rule;
    }

    /** Resolving {@code host} fails with {@code UnknownHostException}. */
    public static AgentRule failResolution(String host) {
        ResolveFailure rule = new ResolveFailure(host.toLowerCase(Locale.ROOT));
        synchronized (LOCK) {
            if (RESOLVE_FAILURES.containsKey(rule.host)) {
                throw new IllegalStateException("resolving " + host + " already fails under another rule");
            }
            update(() -> RESOLVE_FAILURES.put(rule.host, rule));
        }
        return rule;
    }

    private static AgentRule add(ConnectRule rule, boolean reachExisting) {
        update(() -> CONNECT_RULES.add(rule));
        if (reachExisting) {
            reachExisting(rule);
        }
        return rule;
    }

    /**
     * A rule made while the application already holds connections to its target (a warm pool, a
     * cached application context) reaches them too. A time-out applies faithfully: each such
     * connection dies with {@code ETIMEDOUT} {@code after} from now. A redirect (a fault listener
     * in front of the target) or a refusal cannot move a connection that is already established:
     * it ends as when the server's host fails, with {@code ECONNRESET} at the application's next read or
     * write, so the application reconnects, through the rule.
     */
    private static void reachExisting(ConnectRule rule) {
        List<Map.Entry<FileDescriptor, Known>> open;
        synchronized (KNOWN) {
            open = new ArrayList<>(KNOWN.entrySet());
        }
        for (Map.Entry<FileDescriptor, Known> entry : open) {
            FileDescriptor fd = entry.getKey();
            Known known = entry.getValue();
            if (!known.ownPort && !known.internal && known.isOpenOn(fd) && Targets.matches(rule.target, known.nameUsed, known.address, known.port, rule.resolved)) {
                rule.existing.incrementAndGet();
                arm(fd, rule, rule.timeoutAfter != null ? ArmedFault.TIMED_OUT : ArmedFault.RESET, true);
            }
        }
        if (rule.target.port() != 0) { // a host alone would count the build tool's own loopback connections
            rule.unreached.set(countUnreached(rule));
        }
    }

    /**
     * {@return how many of this process's connections to the rule's target were opened before the agent
     * was installed} The agent never saw them, so no rule can reach them: the test must be told.
     *
     * <p>The kernel's table is read first and the agent's records after it, so every connection in the table
     * that the agent saw is in the records. A connect still in flight (recorded, but its local port not yet
     * noted: a pool connecting while the rule is made) is told by asking its descriptor for its local port.
     */
    private static long countUnreached(ConnectRule rule) {
        List<ProcSockets.Connection> outgoing = ProcSockets.outgoing();
        if (outgoing.isEmpty()) {
            return 0;
        }
        List<Map.Entry<FileDescriptor, Known>> seen;
        synchronized (KNOWN) {
            seen = new ArrayList<>(KNOWN.entrySet());
        }
        java.util.Set<Long> known = new java.util.HashSet<>();
        for (Map.Entry<FileDescriptor, Known> entry : seen) {
            Known k = entry.getValue();
            int localPort = k.localPort > 0 ? k.localPort : AgentInstaller.localPort(entry.getKey());
            if (localPort > 0) {
                known.add(((long) localPort << 16) | k.actualPort);
            }
        }
        long unreached = 0;
        for (ProcSockets.Connection c : outgoing) {
            boolean own = OwnPorts.contains(c.remote(), c.remotePort());
            if (!own && !known.contains(((long) c.localPort() << 16) | c.remotePort())
                    && Targets.matches(rule.target, "", c.remote(), c.remotePort(), rule.resolved)) {
                unreached++;
            }
        }
        return unreached;
    }

    // ---- hooks ---------------------------------------------------------------------------------

    private static Object onConnect(Object[] call) {
        FileDescriptor fd = (FileDescriptor) call[0];
        InetAddress address = (InetAddress) call[1];
        int port = (Integer) call[2];
        if (Thread.currentThread() instanceof InternalThread) {
            // netfault's own connections (a listener relaying to the real target) pass; remembered only to be told apart
            KNOWN.put(fd, new Known(address, "", port, true, port, true));
            return null;
        }
        String text = address.toString(); // "name/literal": the name the application used, without a reverse lookup
        String nameUsed = text.substring(0, Math.max(0, text.indexOf('/')));
        // netfault's own listeners (this test's and other tests') are out of reach of rules that leave host or port open
        boolean ownPort = OwnPorts.contains(address, port);
        Object decision = null;
        if (NetFaultHooks.active) {
            for (ConnectRule rule : CONNECT_RULES) {
                if ((!ownPort || rule.target.host() != null && rule.target.port() != 0)
                        && Targets.matches(rule.target, nameUsed, address, port, rule.resolved)) {
                    if (rule.timeoutAfter != null) {
                        rule.hits.incrementAndGet();
                        arm(fd, rule, ArmedFault.TIMED_OUT, false);
                    } else if (decision == null) {
                        rule.hits.incrementAndGet();
                        decision = rule.destination;
                    }
                }
            }
        }
        // Remembered by the target the application asked for, redirected or not: a connection that runs through an earlier
        // test's listener (now a plain pass-through) is still the application's connection to that target.
        int actualPort = decision instanceof InetSocketAddress destination ? destination.getPort() : port;
        KNOWN.put(fd, new Known(address, nameUsed, port, ownPort, actualPort, false));
        return decision;
    }

    /**
     * Arms a fault on one connection. {@code established}: the connection is open already (the
     * clock starts now); otherwise it is being connected, and a time-out counts from when the
     * connect completes.
     */
    private static void arm(FileDescriptor fd, ConnectRule rule, int kind, boolean established) {
        Duration after = kind == ArmedFault.RESET ? Duration.ZERO : rule.timeoutAfter;
        ArmedFault armed = new ArmedFault(fd, rule, kind, after, established);
        update(() -> {
            ARMED.put(fd, armed);
            rule.armed.add(armed);
        });
        if (kind == ArmedFault.RESET) {
            armed.fire();
        } else if (!after.isZero()) {
            armed.schedule(after);
        }
    }

    private static IOException onIo(Object[] call) {
        ArmedFault armed = ARMED.get((FileDescriptor) call[0]);
        if (armed == null) {
            return null;
        }
        boolean write = (Boolean) call[1];
        boolean afterRead = (Boolean) call[2];
        armed.established = true; // it reads or writes: the connect is complete
        if (!afterRead && armed.state.get() == ArmedFault.WAITING && armed.due()) {
            armed.fire();
        }
        // The first operation after the fault reports the errno; later ones see the shut-down
        // socket as the kernel leaves it: read -1, write "Broken pipe".
        if (armed.state.compareAndSet(ArmedFault.FIRED, ArmedFault.REPORTED)) {
            armed.disarm(); // reported: from now on the shut-down socket speaks for itself
            return armed.kind == ArmedFault.TIMED_OUT ? new IOException("Connection timed out") : reset(write);
        }
        return null;
    }

    /** {@return what the JDK's SocketDispatcher throws for ECONNRESET} */
    private static IOException reset(boolean write) {
        if (write) {
            return new IOException("Connection reset by peer");
        }
        try {
            return (IOException) connectionReset.invoke("Connection reset");
        } catch (Throwable impossible) {
            return new java.net.SocketException("Connection reset");
        }
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
        return resolve(host, true);
    }

    /**
     * {@return the answer for a lookup of {@code host}: null, an UnknownHostException or the stand-in addresses}
     *
     * @param jdk whether the JDK's resolver asks (its negative cache words later failures differently); Netty's
     *     resolver, which words its own failure, leaves the JDK's first lookup to the JDK
     */
    static Object resolve(String host, boolean jdk) {
        ResolveFailure failure = RESOLVE_FAILURES.get(host.toLowerCase(Locale.ROOT));
        if (failure != null) {
            failure.hits.incrementAndGet();
            // As the JDK: the first lookup reports the resolver's error, later ones come from its negative cache.
            boolean first = jdk ? failure.first.compareAndSet(true, false) : failure.first.get();
            return new UnknownHostException(first ? host + ": Name or service not known" : host);
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
            Target target = new Target(InetAddress.getLoopbackAddress().getHostAddress(), closedPort);
            InetSocketAddress destination = (InetSocketAddress) live.getLocalAddress();
            // As redirect(..), without looking for connections already open to the probe's port: it has none.
            try (AgentRule probe = add(new ConnectRule(target, destination, null, "redirect " + target + " to " + destination, null), false);
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

    /** A connection the application opened, as it asked for it. */
    private static final class Known {
        final InetAddress address;
        final String nameUsed;
        final int port;
        final boolean ownPort;
        /** The port it really connected to: the target's, or a fault listener's when it was redirected. */
        final int actualPort;
        /** netfault's own connection: never reached by a rule. */
        final boolean internal;
        /** Its local port once the connect call returned: with the remote port, how a reused descriptor is told apart. */
        volatile int localPort = -1;

        Known(InetAddress address, String nameUsed, int port, boolean ownPort, int actualPort, boolean internal) {
            this.internal = internal;
            this.address = address;
            this.nameUsed = nameUsed;
            this.port = port;
            this.ownPort = ownPort;
            this.actualPort = actualPort;
        }

        /** {@return whether {@code fd} is still this connection (a closed socket's number may have been reused)} */
        boolean isOpenOn(FileDescriptor fd) {
            return fd.valid() && localPort > 0 && AgentInstaller.localPort(fd) == localPort && AgentInstaller.remotePort(fd) == actualPort;
        }
    }

    private static void onConnected(FileDescriptor fd) {
        Known known = KNOWN.get(fd);
        if (known != null) {
            known.localPort = AgentInstaller.localPort(fd);
        }
    }

    private static final class ConnectRule implements AgentRule {
        final Target target;
        final InetAddress[] resolved;
        /** For a target name that does not resolve: the address its lookups get while the rule is active. */
        final InetAddress standIn;
        final InetSocketAddress destination;
        final Duration timeoutAfter;
        final String description;
        final SocketChannel reserved;
        final List<ArmedFault> armed = new CopyOnWriteArrayList<>();
        /** Connects this rule acted on. */
        final AtomicLong hits = new AtomicLong();
        /** Connections that were open when the rule was made, and that it reached. */
        final AtomicLong existing = new AtomicLong();
        /** Connections to the target opened before the agent was installed: out of its reach. */
        final AtomicLong unreached = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();

        ConnectRule(Target target, InetSocketAddress destination, Duration timeoutAfter, String description, SocketChannel reserved) {
            this.target = target;
            this.resolved = Targets.resolve(target);
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
        public long matches() {
            return hits.get() + existing.get();
        }

        @Override
        public long unreached() {
            return unreached.get();
        }

        @Override
        public String describeMatches() {
            long e = existing.get();
            long u = unreached.get();
            return hits.get() + " connect(s)" + (e == 0 ? "" : ", " + e + " connection(s) already open when it was made")
                    + (u == 0 ? "" : "; " + u + " connection(s) to the target were open before netfault's agent was installed:"
                            + " the fault cannot reach them");
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                update(() -> {
                    CONNECT_RULES.remove(this);
                    for (ArmedFault a : armed) {
                        a.disarm();
                    }
                });
                closeQuietly(reserved);
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** A fault armed on one connection: it fires (the socket is shut down), then its first I/O reports the errno. */
    private static final class ArmedFault {
        static final int WAITING = 0;
        static final int FIRED = 1;
        static final int REPORTED = 2;
        static final int TIMED_OUT = 0;
        static final int RESET = 1;
        /** How often a time-out whose connect is still in progress looks again. */
        private static final long CONNECT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        final FileDescriptor fd;
        final ConnectRule rule;
        final int kind;
        final Duration after;
        final AtomicInteger state = new AtomicInteger(WAITING);
        /** When the connection dies; counted from when its connect completed. */
        volatile long deadline;
        volatile boolean established;
        volatile ScheduledFuture<?> timer;

        ArmedFault(FileDescriptor fd, ConnectRule rule, int kind, Duration after, boolean established) {
            this.fd = fd;
            this.rule = rule;
            this.kind = kind;
            this.after = after;
            this.established = established;
            this.deadline = System.nanoTime() + after.toNanos();
        }

        boolean due() {
            return System.nanoTime() - deadline >= 0;
        }

        void schedule(Duration delay) {
            timer = TIMER.schedule(this::onTimer, delay.toNanos(), TimeUnit.NANOSECONDS);
        }

        /**
         * The clock ran out. A connect still in progress (a slow or dropped SYN) must meet its own
         * fate, the kernel's connect timeout or the client's, not this fault: the clock restarts when
         * the connect completes.
         */
        private void onTimer() {
            if (state.get() != WAITING) {
                return;
            }
            if (!fd.valid()) {
                disarm(); // closed before it died
                return;
            }
            if (!established && !AgentInstaller.connected(fd)) {
                deadline = Long.MAX_VALUE; // unknown until the connect completes
                timer = TIMER.schedule(this::onTimer, CONNECT_POLL_NANOS, TimeUnit.NANOSECONDS);
                return;
            }
            if (deadline == Long.MAX_VALUE) {
                established = true;
                deadline = System.nanoTime() + after.toNanos();
                schedule(after);
                return;
            }
            fire();
        }

        void fire() {
            if (state.compareAndSet(WAITING, FIRED)) {
                // What the kernel does when its retransmissions give up, or a reset arrives: the connection is dead both ways.
                AgentInstaller.shutdown(fd);
            }
        }

        void disarm() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            update(() -> ARMED.remove(fd, this));
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
        public long matches() {
            return failed.get();
        }

        @Override
        public String describeMatches() {
            return failed.get() + " accept(s) failed";
        }

        @Override
        public void close() {
            update(() -> ACCEPT_FAILURES.remove(port, this));
        }
    }

    private static final class ResolveFailure implements AgentRule {
        final String host;
        final AtomicBoolean first = new AtomicBoolean(true);
        final AtomicLong hits = new AtomicLong();

        ResolveFailure(String host) {
            this.host = host;
        }

        @Override
        public String describe() {
            return "fail resolving " + host;
        }

        @Override
        public long matches() {
            return hits.get();
        }

        @Override
        public String describeMatches() {
            return hits.get() + " lookup(s) failed";
        }

        @Override
        public void close() {
            update(() -> RESOLVE_FAILURES.remove(host, this));
        }
    }
}
