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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.SocketFactory;

/** The {@link FaultListener} implementation: a loopback listener, its accept policy and its connections. */
public final class ListenerEngine implements FaultListener {

    private final ListenerConfig config;
    private ServerSocketChannel server;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final JournalImpl journal;
    private final List<Fault> faults;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InetSocketAddress upstream;
    private final SocketFactory socketFactory;

    // Loop thread only (or before the loop starts).
    /** The listener closed while connections still relay through it: the loop ends with the last of them. */
    private boolean passingThrough;
    private boolean closeLogged;
    private SelectionKey serverKey;
    private long acceptedCount;
    /** Requests started on any connection, for their numbers across the listener. */
    private long requestCount;
    private int leakedCount;
    private final Set<Relay> relays = new LinkedHashSet<>();
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

    private ListenerEngine(ListenerConfig config, ServerSocketChannel server, EventLoop loop) throws IOException {
        this.config = config;
        this.server = server;
        this.address = (InetSocketAddress) server.getLocalAddress();
        this.loop = loop;
        this.journal = new JournalImpl(config.name());
        this.faults = new CopyOnWriteArrayList<>(config.faults());
        this.upstream = config.upstream();
        this.socketFactory = new RedirectingSocketFactory(address);
    }

    /** Binds 127.0.0.1 on an ephemeral port and starts the listener's thread. */
    public static FaultListener start(ListenerConfig config) {
        ServerSocketChannel server = null;
        ListenerEngine engine = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config.backlog());
            server.configureBlocking(false);
            OwnPorts.register(server);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            engine = new ListenerEngine(config, server, new EventLoop("netfault-" + config.name() + "-" + port));
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

    private static void releaseAfterFailedStart(ServerSocketChannel server, ListenerEngine engine) {
        if (engine != null) {
            engine.releaseAll();
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
        Relay relay = new Relay(this, loop, channel, entry, selected, config.echo() && target == null, target != null, config.seed());
        relays.add(relay);
        try {
            relay.start(target);
        } catch (IOException | RuntimeException e) {
            entry.upstreamFailed(String.valueOf(e)); // the client gets a RST rather than a silent connection
            relay.resetNow("netfault failed: " + e);
        }
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

    /** {@return the number of a request that starts now, across the listener, from 1} Loop thread only. */
    long nextRequest() {
        return ++requestCount;
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

    void removed(Relay relay) {
        relays.remove(relay);
        if (passingThrough && relays.isEmpty()) {
            loop.finish(() -> { }); // the last connection a closed listener relayed on has ended: so does its thread
        }
    }

    private void releaseAll() {
        for (Relay relay : List.copyOf(relays)) {
            relay.shutdown();
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

    /** The loop that serves this listener (tests read its buffer accounting). */
    EventLoop loop() {
        return loop;
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
        loop.call(() -> {
            for (Relay relay : List.copyOf(relays)) {
                relay.resetNow("reset by the test");
            }
            loop.selector().selectNow(); // a registered channel closes when deregistered: do it now, before returning
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
        if (loop.inLoop()) {
            throw new IllegalStateException("listener '" + config.name() + "' cannot be closed from its own thread");
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean connectionsLive;
        try {
            connectionsLive = loop.call(this::closeOnLoop);
        } catch (RuntimeException e) {
            connectionsLive = false; // the loop did not answer: stop it with everything it holds
        }
        if (!connectionsLive) {
            loop.stop(() -> {
                releaseAll();
                logClosed("");
            });
        } // else the loop ends by itself when the last connection relayed on ends (removed)
    }

    /**
     * Releases the port, the leaked connections and the queue fillers; resets what has nothing to
     * relay to and releases the relayed connections as pass-through. {@return whether connections
     * still relay through the loop}
     */
    private boolean closeOnLoop() throws IOException {
        server.close(); // new connects are refused from now on
        leaked.forEach(Relay::abortQuietly);
        fillers.forEach(Relay::abortQuietly);
        int live = 0;
        for (Relay relay : List.copyOf(relays)) {
            if (config.resetOnClose()) {
                relay.shutdown();
            } else if (relay.passThrough()) {
                live++;
            }
        }
        // A registered channel closes when deregistered: do it now, so the port is free and the
        // resets are sent before close() returns.
        loop.selector().selectNow();
        logClosed(live == 0 ? "" : live + (live == 1 ? " connection" : " connections") + " relayed on as plain pass-through");
        passingThrough = !relays.isEmpty();
        return passingThrough;
    }

    private void logClosed(String detail) {
        if (!closeLogged) {
            closeLogged = true;
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
