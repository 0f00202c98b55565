package dev.netfault.internal;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;

/**
 * The {@link FaultListener} implementation: a loopback listener, its accept policy and its connections.
 *
 * <p>Its first loop accepts, and serves the connections too while few are open. When a connection
 * arrives while every loop already relays some, another loop is started (up to {@link #LOOPS_PROPERTY},
 * by default one per CPU, at most 8) and each new connection goes to the loop that relays the fewest.
 * A connection lives on one loop to its end; what concerns all of them (reset, close) is done on
 * each loop by its own thread.
 */
public final class ListenerEngine implements FaultListener {

    /**
     * System property: how many loop threads one listener may use at most (default: one per CPU, at
     * most 8). A listener starts with one and adds more only while every loop it has relays some
     * connection; 1 keeps every listener on one thread.
     */
    static final String LOOPS_PROPERTY = "netfault.loops";

    /** {@return the most loops per listener, from {@link #LOOPS_PROPERTY}'s value on a machine with {@code processors} CPUs} */
    static int maxLoops(String value, int processors) {
        int byDefault = Math.max(1, Math.min(processors, 8));
        if (value == null) {
            return byDefault;
        }
        try {
            int loops = Integer.parseInt(value.trim());
            if (loops >= 1 && loops <= 64) {
                return loops;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + LOOPS_PROPERTY + " must be a whole number of threads per listener from 1 to 64, but was '"
                + value + "'. Fix: remove it for the default (one per CPU, at most 8: " + byDefault + " here), or give 1 to keep each listener on one thread.");
    }

    /**
     * How long an extra loop may relay nothing before it ends while the listener serves on; its
     * thread then goes back to the pool ({@link LoopThreads}).
     */
    static final Duration RETIRE_AFTER = Duration.ofSeconds(1);

    /** One of the listener's loops and the connections it relays. */
    private static final class Worker {
        final EventLoop loop;
        /** Its place among the listener's loops, from 1: the first loop is 1; its thread's name ends with it. */
        final int index;
        /**
         * Connections handed to this loop that have not ended: raised by the accepting loop, lowered
         * by this one, read by the accepting loop to pick where the next connection goes.
         */
        final AtomicInteger load = new AtomicInteger();
        // This loop's thread only.
        final Set<Relay> relays = new LinkedHashSet<>();
        /** The listener closed while connections still relay on this loop: it ends with the last of them. */
        boolean passingThrough;
        /** When the loop's last connection ended ({@code System.nanoTime()}); written before {@link #load} drops to 0. */
        volatile long idleSince;
        /** A check whether to retire the loop is due on the first loop: one at a time. */
        final AtomicBoolean retireCheckDue = new AtomicBoolean();

        Worker(EventLoop loop, int index) {
            this.loop = loop;
            this.index = index;
        }
    }

    private final ListenerConfig config;
    private ServerSocketChannel server;
    private final InetSocketAddress address;
    /** The first loop: it accepts, and owns the port, the leaked connections, the queue fillers and the listener's timers. */
    private final EventLoop loop;
    /** Every loop started, the first one first; added to by the first loop only. */
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final int maxLoops;
    /** The large relay buffers the listener's loops may still make, together. */
    private final AtomicInteger largeAllowance;
    private final JournalImpl journal;
    private final List<Fault> faults;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InetSocketAddress upstream;
    private final SocketFactory socketFactory;

    private final AtomicBoolean closeLogged = new AtomicBoolean();

    // The first loop's thread only (or before the loop starts).
    private SelectionKey serverKey;
    private long acceptedCount;
    private int leakedCount;
    private final List<SocketChannel> leaked = new ArrayList<>();
    private final List<SocketChannel> fillers = new ArrayList<>();
    private final Set<Integer> fillerPorts = new HashSet<>();

    private final EventLoop.Handler acceptor = new EventLoop.Handler() {
        @Override
        public void onReady(SelectionKey key) throws IOException {
            onAcceptable();
        }

        @Override
        public void onError(Throwable failure) {
            acceptFailed(failure);
        }
    };

    /** How long the listener pauses accepting after an accept failed (out of file descriptors, say). */
    private static final java.time.Duration ACCEPT_RETRY = java.time.Duration.ofMillis(50);
    private boolean acceptFailing;

    /**
     * An accept failed (typically EMFILE while the process is out of file descriptors): the pending
     * connection stays queued and the selector would report it again at once, so pause accepting
     * and retry, with one journal event per episode instead of a busy loop.
     */
    private void acceptFailed(Throwable failure) {
        if (!acceptFailing) {
            acceptFailing = true;
            journal.event(0, JournalEvent.Type.ACCEPT_FAILED, String.valueOf(failure));
        }
        if (serverKey.isValid()) {
            serverKey.interestOps(0);
            loop.schedule(ACCEPT_RETRY, resumeAccepting);
        }
    }

    // Made up front: when the process is out of file descriptors, even linking a lambda can fail.
    private final Runnable resumeAccepting = this::resumeAccepting;

    private void resumeAccepting() {
        if (serverKey.isValid() && !config.acceptNever() && leakedCount < Math.max(1, config.leakLimit())) {
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private ListenerEngine(ListenerConfig config, ServerSocketChannel server, int maxLoops) throws IOException {
        this.config = config;
        this.server = server;
        this.address = (InetSocketAddress) server.getLocalAddress();
        this.maxLoops = maxLoops;
        this.largeAllowance = new AtomicInteger(largeBufferLimit(maxLoops));
        this.loop = new EventLoop(threadName(1), largeAllowance);
        this.workers.add(new Worker(loop, 1));
        this.journal = new JournalImpl(config.name());
        this.faults = new CopyOnWriteArrayList<>(config.faults());
        this.upstream = config.upstream();
        this.socketFactory = new RedirectingSocketFactory(address);
    }

    /** Binds 127.0.0.1 on an ephemeral port and starts the listener's thread. */
    public static FaultListener start(ListenerConfig config) {
        int maxLoops = maxLoops(System.getProperty(LOOPS_PROPERTY), Runtime.getRuntime().availableProcessors());
        ServerSocketChannel server = null;
        ListenerEngine engine = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config.backlog());
            server.configureBlocking(false);
            OwnPorts.register(server);
            engine = new ListenerEngine(config, server, maxLoops);
            if (config.fillAcceptQueue()) {
                engine.fillAcceptQueue(true);
            }
            boolean accepts = !config.acceptNever();
            engine.serverKey = server.register(engine.loop.selector(), accepts ? SelectionKey.OP_ACCEPT : 0, engine.acceptor);
            engine.loop.start();
            return engine;
        } catch (IOException e) {
            releaseAfterFailedStart(server, engine);
            throw new UncheckedIOException("netfault could not start listener '" + config.name() + "'", e);
        } catch (RuntimeException e) {
            releaseAfterFailedStart(server, engine); // a bad -Dnetfault.loop.spinMicros, say: the port is not kept
            throw e;
        }
    }

    /** {@return the name of the listener's {@code n}th loop thread, from 1} */
    private String threadName(int n) {
        return "netfault-" + config.name() + "-" + address.getPort() + (n == 1 ? "" : "-" + n);
    }

    private static void releaseAfterFailedStart(ServerSocketChannel server, ListenerEngine engine) {
        if (engine != null) {
            engine.releaseAll(engine.workers.get(0));
            engine.loop.stop(() -> { });
        } else if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // failed to bind: nothing held
            }
        }
    }

    private void onAcceptable() throws IOException {
        if (!config.acceptDelay().isZero()) {
            // Accept one connection a delay after noticing it; meanwhile the kernel queues the others.
            serverKey.interestOps(0);
            loop.schedule(config.acceptDelay(), this::acceptOneLate);
            return;
        }
        SocketChannel channel;
        while (serverKey.isValid() && (serverKey.interestOps() & SelectionKey.OP_ACCEPT) != 0
                && (channel = server.accept()) != null) {
            accepted(channel);
        }
    }

    private void acceptOneLate() {
        if (!server.isOpen()) {
            return; // down or closed meanwhile: nothing to accept
        }
        try {
            SocketChannel channel = server.accept();
            if (channel != null) {
                accepted(channel);
            }
            if (serverKey.isValid()) {
                serverKey.interestOps(SelectionKey.OP_ACCEPT);
            }
        } catch (IOException e) {
            acceptor.onError(e);
        }
    }

    private void accepted(SocketChannel channel) throws IOException {
        acceptFailing = false;
        InetSocketAddress client = (InetSocketAddress) channel.getRemoteAddress();
        if (fillerPorts.remove(client.getPort())) {
            Relay.closeQuietly(channel); // one of our own queue fillers: its slot is free now
            return;
        }
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        long id = ++acceptedCount;
        if (config.leakLimit() > 0) {
            leaked.add(channel);
            if (++leakedCount >= config.leakLimit()) {
                // Before the journal shows the last leaked connection: once a test sees it, connects time out.
                serverKey.interestOps(0);
                fillAcceptQueue(false);
            }
            journal.open(id, client).leaked();
            return;
        }
        JournalImpl.Entry entry = journal.open(id, client);
        List<Fault> selected = faults.stream().filter(f -> Selections.matches(f.connections(), id, config.seed())).toList();
        InetSocketAddress target = upstream;
        Worker worker = pickWorker();
        Relay relay = new Relay(this, worker.loop, channel, entry, selected, config.echo() && target == null, target != null, config.seed());
        worker.load.incrementAndGet();
        if (worker.loop == loop) {
            startRelay(worker, relay, target, entry);
        } else {
            // Queued ahead of anything the listener asks of that loop later (a reset, close): the
            // connection is in its set by then.
            worker.loop.execute(() -> startRelay(worker, relay, target, entry));
        }
    }

    /** Registers the connection with its loop and starts relaying it. Its loop's thread only. */
    private static void startRelay(Worker worker, Relay relay, InetSocketAddress target, JournalImpl.Entry entry) {
        worker.relays.add(relay);
        try {
            relay.start(target);
        } catch (IOException | RuntimeException e) {
            entry.upstreamFailed(String.valueOf(e)); // the client gets a RST rather than a silent connection
            relay.resetNow("netfault failed: " + e);
        }
    }

    /**
     * {@return the loop for a new connection: the one that relays the fewest, or a new one if every
     * loop relays some and the listener may start another} Deterministic for one connection at a
     * time: a connection accepted while no other is open always goes to the first loop. First loop only.
     */
    private Worker pickWorker() {
        Worker least = null;
        int leastLoad = Integer.MAX_VALUE;
        for (Worker worker : workers) {
            int load = worker.load.get();
            if (load < leastLoad) {
                least = worker;
                leastLoad = load;
            }
        }
        if (leastLoad > 0 && workers.size() < maxLoops) {
            Worker added = startWorker();
            if (added != null) {
                return added;
            }
        }
        return least;
    }

    /** {@return a new loop, started, or {@code null} if none could be (out of file descriptors or threads)} */
    private Worker startWorker() {
        int index = 1;
        while (indexTaken(index)) {
            index++; // the lowest free: a retired loop's place (and thread name) is taken again
        }
        EventLoop added;
        try {
            added = new EventLoop(threadName(index), largeAllowance);
        } catch (IOException | RuntimeException | Error e) {
            return null; // the loops there are serve on
        }
        try {
            added.start();
        } catch (RuntimeException | Error e) {
            added.stop(() -> { }); // never ran: closes its selector
            return null;
        }
        Worker worker = new Worker(added, index);
        workers.add(worker);
        return worker;
    }

    private boolean indexTaken(int index) {
        return workers.stream().anyMatch(worker -> worker.index == index);
    }

    /**
     * Ends an extra loop that has relayed nothing for {@link #RETIRE_AFTER} while the listener serves
     * on: a listener that was busy once does not keep its threads. A loop that relayed again meanwhile
     * is checked again a full {@code RETIRE_AFTER} after its new last connection ended. Only the first
     * loop hands connections to loops, and it runs this, so a loop found empty here gets none
     * meanwhile. First loop only.
     */
    private void retireIfIdle(Worker worker) {
        if (closed.get()) {
            return; // close() ends every loop
        }
        if (worker.load.get() != 0) {
            worker.retireCheckDue.set(false);
            // Idle again since the line above, its removed() found a check still due: take that check over.
            if (worker.load.get() != 0 || !worker.retireCheckDue.compareAndSet(false, true)) {
                return;
            }
        }
        long left = RETIRE_AFTER.toNanos() - (System.nanoTime() - worker.idleSince);
        if (left > 0) {
            loop.schedule(Duration.ofNanos(left), () -> retireIfIdle(worker));
            return;
        }
        workers.remove(worker); // no connection, reset or close reaches it from now on
        worker.loop.stop(worker.loop::releaseLargeBuffers); // one hand-off; its thread then serves other listeners' loops
    }

    /**
     * Queues {@code backlog + 1} connections of our own, which is what Linux holds before it drops
     * SYNs: from then on a client's connect really times out.
     */
    private void fillAcceptQueue(boolean waitForHandshakes) throws IOException {
        for (int i = 0; i <= config.backlog(); i++) {
            SocketChannel filler = SocketChannel.open(StandardProtocolFamily.INET);
            fillers.add(filler);
            if (waitForHandshakes) {
                // The queue is empty before the loop starts, so each handshake completes at once.
                filler.socket().connect(address, 2_000);
            } else {
                // Bound first: a pending non-blocking connect reports no local address, and we need its port.
                filler.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                filler.configureBlocking(false);
                filler.connect(address);
            }
            fillerPorts.add(((InetSocketAddress) filler.getLocalAddress()).getPort());
        }
        journal.event(0, JournalEvent.Type.ACCEPT_QUEUE_FILLED, (config.backlog() + 1) + " connections queued");
    }

    /**
     * Rejects a response trigger on an echoing listener: its "response" is the client's own bytes,
     * sent back as they come, so the fault would never fire where the test means it to.
     */
    public static void requireServerTurns(boolean echo, Fault fault, String listenerName) {
        if (echo && (fault.trigger() instanceof dev.netfault.Trigger.AfterResponse
                || fault.trigger() instanceof dev.netfault.Trigger.AfterResponseEnd)) {
            throw new IllegalArgumentException("listener '" + listenerName + "' echoes, so it has no server responses for the fault "
                    + fault.describe() + ". Fix: put the listener in front of a server (FaultListener.inFrontOf(address) or proxyTo), "
                    + "or trigger on the request (Trigger.onRequest)");
        }
    }

    /** The connection ended. Its loop's thread only. */
    void removed(Relay relay) {
        Worker worker = workerOf(relay.loop());
        if (worker == null || !worker.relays.remove(relay)) {
            return;
        }
        worker.idleSince = System.nanoTime(); // before the count can read 0: the first loop reads them in that order
        int load = worker.load.decrementAndGet();
        if (worker.passingThrough && worker.relays.isEmpty()) {
            worker.loop.finish(() -> { }); // the last connection a closed listener relayed on this loop has ended: so does its thread
        } else if (load == 0 && worker.loop != loop && !closed.get() && worker.retireCheckDue.compareAndSet(false, true)) {
            loop.execute(() -> loop.schedule(RETIRE_AFTER, () -> retireIfIdle(worker)));
        }
    }

    private Worker workerOf(EventLoop relayLoop) {
        return workers.stream().filter(worker -> worker.loop == relayLoop).findFirst().orElse(null);
    }

    /** Resets the loop's connections; the first loop also releases the port, the leaked connections and the fillers. */
    private void releaseAll(Worker worker) {
        for (Relay relay : List.copyOf(worker.relays)) {
            relay.shutdown();
        }
        if (worker.loop != loop) {
            return;
        }
        leaked.forEach(Relay::abortQuietly);
        fillers.forEach(Relay::abortQuietly);
        try {
            server.close();
        } catch (IOException ignored) {
            // a listening socket holds no data
        }
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** The listener's first loop (tests read its buffer accounting). */
    EventLoop loop() {
        return loop;
    }

    /**
     * {@return how many large buffers a listener that may run {@code maxLoops} loops holds at most}
     * {@link EventLoop#LARGE_BUFFER_LIMIT}, or one per loop up to {@link EventLoop#LARGE_BUFFER_LIMIT_MAX}:
     * on a machine with many CPUs each loop can relay one busy pipe in large reads.
     */
    static int largeBufferLimit(int maxLoops) {
        return Math.min(EventLoop.LARGE_BUFFER_LIMIT_MAX, Math.max(EventLoop.LARGE_BUFFER_LIMIT, maxLoops));
    }

    /** {@return how many large buffers this listener's loops may hold together} */
    int largeBufferLimit() {
        return largeBufferLimit(maxLoops);
    }

    /** {@return every loop the listener started, the first one first} */
    List<EventLoop> loops() {
        return workers.stream().map(worker -> worker.loop).toList();
    }

    /** {@return how many large buffers the listener's loops may still make, together} */
    int largeAllowanceLeft() {
        return largeAllowance.get();
    }

    /** {@return how many connections each loop relays (or is about to), the first loop first} */
    int[] connectionsPerLoop() {
        return workers.stream().mapToInt(worker -> worker.load.get()).toArray();
    }

    /** {@return the large buffers the listener's loops hold together, lent or spare} Asks each loop. */
    int largeBuffersMade() {
        // Asked from the first loop, which retires loops: none ends while it is being asked.
        return loop.call(() -> workers.stream().mapToInt(worker -> worker.loop.call(worker.loop::largeBuffersMade)).sum());
    }

    /** {@return the large buffers the listener's loops have lent and not had back} Asks each loop. */
    int largeBuffersLent() {
        return loop.call(() -> workers.stream().mapToInt(worker -> worker.loop.call(worker.loop::largeBuffersLent)).sum());
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Journal journal() {
        return journal;
    }

    @Override
    public Optional<InetSocketAddress> upstream() {
        return Optional.ofNullable(upstream);
    }

    @Override
    public void proxyTo(InetSocketAddress newUpstream) {
        Objects.requireNonNull(newUpstream, "upstream");
        requireOpen("relay to " + newUpstream);
        if (config.leakLimit() > 0) {
            throw new IllegalStateException("listener '" + config.name() + "' leaks its connections and never serves them: it cannot relay to an upstream");
        }
        if (config.echo()) {
            throw new IllegalStateException("listener '" + config.name() + "' echoes: it cannot also relay to an upstream");
        }
        this.upstream = newUpstream;
    }

    @Override
    public long seed() {
        return config.seed();
    }

    @Override
    public void resetOpenConnections() {
        requireOpen("reset its connections");
        // From the accepting loop, which accepts nothing meanwhile: every connection accepted before
        // is reset, and connections handed to another loop are queued there ahead of the reset.
        loop.call(() -> {
            for (Worker worker : workers) {
                worker.loop.call(() -> {
                    for (Relay relay : List.copyOf(worker.relays)) {
                        relay.resetNow("reset by the test");
                    }
                    worker.loop.selector().selectNow(); // a registered channel closes when deregistered: do it now, before returning
                    return null;
                });
            }
            return null;
        });
    }

    @Override
    public void down() {
        requireOpen("go down");
        loop.call(() -> {
            if (server.isOpen()) {
                server.close(); // the port now refuses: a real ECONNREFUSED for new connects
                loop.selector().selectNow(); // a registered channel closes when deregistered: do it now, before returning
                journal.event(0, JournalEvent.Type.LISTENER_DOWN, "");
            }
            return null;
        });
    }

    @Override
    public void downFor(java.time.Duration duration) {
        Objects.requireNonNull(duration, "duration");
        requireOpen("go down for " + duration.toMillis() + " ms");
        down();
        loop.execute(() -> loop.schedule(duration, () -> {
            if (closed.get()) {
                return; // closed meanwhile: the port stays released
            }
            try {
                up();
            } catch (RuntimeException e) {
                journal.event(0, JournalEvent.Type.LISTENER_DOWN, "could not come back up: " + e.getMessage());
            }
        }));
    }

    @Override
    public void up() {
        requireOpen("come back up");
        loop.call(() -> {
            if (!server.isOpen()) {
                ServerSocketChannel reopened = ServerSocketChannel.open(StandardProtocolFamily.INET);
                try {
                    reopened.bind(address, config.backlog());
                    reopened.configureBlocking(false);
                    OwnPorts.register(reopened);
                    serverKey = reopened.register(loop.selector(), config.acceptNever() ? 0 : SelectionKey.OP_ACCEPT, acceptor);
                } catch (IOException e) {
                    reopened.close();
                    throw new UncheckedIOException("netfault could not bring listener '" + config.name() + "' back up on " + address, e);
                }
                server = reopened;
                journal.event(0, JournalEvent.Type.LISTENER_UP, "");
            }
            return null;
        });
    }

    @Override
    public void addFault(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        requireOpen("add the fault " + fault.describe());
        requireServerTurns(config.echo(), fault, config.name());
        faults.add(fault);
    }

    @Override
    public void clearFaults() {
        requireOpen("clear its faults");
        faults.clear();
    }

    @Override
    public List<Fault> faults() {
        return List.copyOf(faults);
    }

    @Override
    public SocketFactory socketFactory() {
        return socketFactory;
    }

    @Override
    public void close() {
        for (Worker worker : workers) {
            if (worker.loop.inLoop()) {
                throw new IllegalStateException("listener '" + config.name() + "' cannot be closed from its own thread");
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The first loop first: once it has closed the port no connection is handed to any loop, and
        // those handed over before are queued on their loop ahead of its part of the close.
        int live = closeWorker(workers.get(0));
        List<Worker> others = List.copyOf(workers); // complete now: only the first loop starts loops, as it accepts
        for (Worker worker : others.subList(1, others.size())) {
            live += closeWorker(worker);
        }
        logClosed(live == 0 ? "" : live + (live == 1 ? " connection" : " connections") + " relayed on as plain pass-through");
    }

    /**
     * Closes one loop's part of the listener and stops the loop, or leaves it running while
     * connections relay on it (it ends with the last of them, see {@link #removed}). {@return how
     * many connections relay on as plain pass-through}
     */
    private int closeWorker(Worker worker) {
        int live;
        try {
            // One hand-off: the loop closes its part and, with nothing left to relay, ends its thread in the same round.
            live = worker.loop.callThenStopIfNegative(() -> closeOnLoop(worker), () -> { });
        } catch (RuntimeException e) {
            live = Integer.MIN_VALUE; // the loop did not answer: stop it with everything it holds
        }
        if (live == Integer.MIN_VALUE) {
            worker.loop.stop(() -> releaseAll(worker));
            return 0;
        }
        return Math.max(0, live);
    }

    /**
     * On the first loop, releases the port, the leaked connections and the queue fillers; on every
     * loop, resets what has nothing to relay to and releases the relayed connections as
     * pass-through. {@return how many connections relay on, or -1 if none is left on the loop, so it
     * may stop} The loop's own thread only.
     */
    private int closeOnLoop(Worker worker) throws IOException {
        if (worker.loop == loop) {
            server.close(); // new connects are refused from now on
            leaked.forEach(Relay::abortQuietly);
            fillers.forEach(Relay::abortQuietly);
        }
        int live = 0;
        for (Relay relay : List.copyOf(worker.relays)) {
            if (config.resetOnClose()) {
                relay.shutdown();
            } else if (relay.passThrough()) {
                live++;
            }
        }
        // A registered channel closes when deregistered: do it now, so the port is free and the
        // resets are sent before close() returns.
        worker.loop.selector().selectNow();
        worker.passingThrough = !worker.relays.isEmpty();
        return worker.passingThrough ? live : -1;
    }

    private void logClosed(String detail) {
        if (closeLogged.compareAndSet(false, true)) {
            journal.event(0, JournalEvent.Type.LISTENER_CLOSED, detail);
        }
    }

    /** Throws if the listener is closed: a change made to a closed listener would silently do nothing. */
    private void requireOpen(String change) {
        if (closed.get()) {
            throw new IllegalStateException("listener '" + config.name() + "' (" + address + ") was closed: it cannot " + change
                    + " any more. Fix: make the change before closing it, or start a new listener.");
        }
    }

    @Override
    public String toString() {
        return "FaultListener[" + config.name() + " " + address + (upstream == null ? "" : " -> " + upstream) + "]";
    }
}
