package dev.netfault.internal;

import dev.netfault.Closure;
import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.Trigger;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One accepted connection: relays it (to the upstream, back to the client, or into the void), fires
 * its faults at exact points and closes it; its {@link Shaper} writes. Loop thread only.
 */
final class Relay {

    private enum State { STARTING, CONNECTING, OPEN, DRAINING, STALLED, CLOSED }

    /** Who spoke last: nobody yet, the client (a request) or the server (a greeting or a response). */
    private enum Turn { NONE, CLIENT, SERVER }

    private final ListenerEngine listener;
    private final EventLoop loop;
    private final SocketChannel client;
    private final JournalImpl.Entry log;
    private final List<Fault> faults;
    private final boolean echo;
    private final Pipe fromClient;
    private final Pipe toClient;
    /** Writes both pipes out, as shaped. */
    private final Shaper shaper;
    private final List<EventLoop.Timer> timers = new ArrayList<>();
    private SocketChannel upstream;
    private SelectionKey clientKey;
    private SelectionKey upstreamKey;
    private State state = State.STARTING;
    /** The listener closed: no fault fires any more (see {@link #passThrough()}). */
    private boolean passedThrough;

    // ---- exchanges (turns) ----
    private final long seed;
    private Turn turn = Turn.NONE;
    /** Requests started on this connection. */
    private long requestsHere;
    /** The current request's number across the listener; 0 before the first. */
    private long request;
    /** The current exchange's log (the greeting's before the first request), or null before any. */
    private JournalImpl.ExchangeEntry exchange;
    /** When a byte was last read from or sent to the client (or accept), from {@link System#nanoTime()}. */
    private long lastActivity = System.nanoTime();
    private final List<Fault> requestFaults;
    private final List<Fault> responseFaults;
    private final List<Fault> responseEndFaults;
    private final List<IdleWatch> idleWatches = new ArrayList<>(0);

    /** An after-idle fault: its timer, re-armed after it fired once the connection is active again. */
    private final class IdleWatch {
        final Fault fault;
        final long nanos;
        EventLoop.Timer timer;
        boolean spent;

        IdleWatch(Fault fault, java.time.Duration idle) {
            this.fault = fault;
            this.nanos = idle.toNanos();
        }

        void arm(long delayNanos) {
            timer = loop.schedule(java.time.Duration.ofNanos(Math.max(0, delayNanos)), this::check);
        }

        void check() {
            timer = null;
            if (!active() || passedThrough) {
                return;
            }
            long quiet = System.nanoTime() - lastActivity;
            if (quiet < nanos) {
                arm(nanos - quiet); // active meanwhile: wait for the rest of a new idle period
                return;
            }
            if (fromClient.hasQueued() || toClient != null && toClient.hasQueued()) {
                arm(nanos); // bytes still wait in the listener (a latency): not idle
                return;
            }
            spent = true; // fires again after the next activity and a new idle period
            fire(fault, null);
        }

        void cancel() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
    }

    private final EventLoop.Handler clientSide = new EventLoop.Handler() {
        @Override
        public void onReady(SelectionKey key) {
            if (key.isReadable()) {
                if (state == State.DRAINING) {
                    drain();
                } else {
                    onReadable(fromClient);
                }
            }
            if (state == State.OPEN && key.isValid() && key.isWritable()) {
                shaper.writable(echo ? fromClient : toClient);
            }
        }

        @Override
        public void onError(Throwable failure) {
            resetClient("netfault failed: " + failure);
        }
    };

    private final EventLoop.Handler upstreamSide = new EventLoop.Handler() {
        @Override
        public void onReady(SelectionKey key) {
            if (key.isConnectable()) {
                finishConnect();
                return;
            }
            if (key.isReadable()) {
                onReadable(toClient);
            }
            if (state == State.OPEN && key.isValid() && key.isWritable()) {
                shaper.writable(fromClient);
            }
        }

        @Override
        public void onError(Throwable failure) {
            resetClient("netfault failed: " + failure);
        }
    };

    Relay(ListenerEngine listener, EventLoop loop, SocketChannel client, JournalImpl.Entry log, List<Fault> faults,
            boolean echo, boolean proxy, long seed) {
        this.listener = listener;
        this.loop = loop;
        this.client = client;
        this.log = log;
        this.faults = faults;
        this.echo = echo;
        this.seed = seed;
        this.requestFaults = faults.stream().filter(f -> f.trigger() instanceof Trigger.OnRequest).toList();
        this.responseFaults = faults.stream().filter(f -> f.trigger() instanceof Trigger.AfterResponse).toList();
        this.responseEndFaults = faults.stream().filter(f -> f.trigger() instanceof Trigger.AfterResponseEnd).toList();
        SplittableRandom random = new SplittableRandom(seed ^ (log.id * 0x9E3779B97F4A7C15L));
        this.fromClient = new Pipe(Direction.FROM_CLIENT, client, echo ? client : null, faults, echo, random.split());
        this.toClient = proxy ? new Pipe(Direction.TO_CLIENT, null, client, faults, false, random.split()) : null;
        this.shaper = new Shaper(loop) {
            @Override
            boolean relaying() {
                return state == State.OPEN;
            }

            @Override
            void delivered(Pipe pipe, int n) {
                if (pipe.sink == client) {
                    lastActivity = System.nanoTime();
                }
                pipe.transferred += n; // counted in the journal as the write started
                fireDue(pipe);
            }

            @Override
            void counting(Pipe pipe, int n) {
                count(pipe, n);
            }

            @Override
            void broken(SocketChannel side) {
                Relay.this.broken(side);
            }

            @Override
            void flushed(Pipe pipe) {
                passOnEndOfStream(pipe);
                updateInterest();
            }
        };
    }

    /** {@return the loop this connection lives on} */
    EventLoop loop() {
        return loop;
    }

    void start(InetSocketAddress upstreamAddress) throws IOException {
        clientKey = client.register(loop.selector(), 0, clientSide);
        for (Fault fault : faults) {
            if (fault.trigger() instanceof Trigger.OnAccept && active()) {
                fire(fault, null);
            }
        }
        if (!active()) {
            return;
        }
        for (Fault fault : faults) {
            if (fault.trigger() instanceof Trigger.AfterIdle idle) {
                IdleWatch watch = new IdleWatch(fault, idle.idle());
                idleWatches.add(watch);
                watch.arm(watch.nanos);
            }
        }
        for (Fault fault : faults) {
            if (fault.trigger() instanceof Trigger.AfterDuration d) {
                timers.add(loop.schedule(d.duration(), () -> {
                    if (active()) {
                        fire(fault, null);
                    }
                }));
            }
        }
        if (upstreamAddress == null) {
            opened();
            return;
        }
        upstream = SocketChannel.open(upstreamAddress.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        upstream.configureBlocking(false);
        upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
        fromClient.sink = upstream;
        toClient.source = upstream;
        state = State.CONNECTING;
        boolean connected;
        try {
            connected = upstream.connect(upstreamAddress);
        } catch (IOException e) {
            upstreamFailed(e);
            return;
        }
        upstreamKey = upstream.register(loop.selector(), 0, upstreamSide);
        if (connected) {
            log.upstreamConnected();
            opened();
        } else {
            updateInterest();
        }
    }

    /** Resets the client now (a fault applied from the test while the connection is open). */
    void resetNow(String why) {
        if (state != State.CLOSED) {
            resetClient(why);
        }
    }

    /** Stops everything at listener close: the client gets a RST (no TIME_WAIT, no half-open peer). */
    void shutdown() {
        resetNow("listener closed");
    }

    /**
     * The listener closed: its faults end and the connection lives on as a plain relay until either
     * side closes it. Timers stop (after-duration faults, delays, a blackhole's close), byte-offset
     * faults that have not fired never will, a stall ends, and shaping ends: what is queued goes out
     * at once, in order. What a fault already did stays done: a direction half-closed or blackholed
     * stays so (its lost bytes cannot be given back, and relaying what follows them would hand the
     * peer a stream with a hole), a connection closed by a fault drains until the client closes.
     * A connection with nothing to relay to (a stand-alone listener) is reset, as before.
     *
     * @return whether the connection stays open
     */
    boolean passThrough() {
        if (state == State.CLOSED) {
            return false;
        }
        if (upstream == null) {
            shutdown();
            return false;
        }
        passedThrough = true;
        cancelTimers();
        for (Pipe pipe : pipes()) {
            pipe.disarm();
        }
        log.released();
        if (state == State.STALLED) {
            state = State.OPEN;
        }
        if (state == State.OPEN) {
            for (Pipe pipe : pipes()) {
                if (state == State.OPEN) {
                    // writes what waited out a latency or a delay, then passes on a FIN held back (slow close)
                    shaper.flush(pipe);
                }
            }
        }
        if (state == State.OPEN) {
            updateInterest();
        }
        return state != State.CLOSED;
    }

    private boolean active() {
        return state == State.STARTING || state == State.CONNECTING || state == State.OPEN;
    }

    private List<Pipe> pipes() {
        return toClient == null ? List.of(fromClient) : List.of(fromClient, toClient);
    }

    private void finishConnect() {
        try {
            if (upstream.finishConnect()) {
                log.upstreamConnected();
                opened();
            }
        } catch (IOException e) {
            upstreamFailed(e);
        }
    }

    private void upstreamFailed(IOException e) {
        log.upstreamFailed(String.valueOf(e.getMessage()));
        resetClient("upstream failed: " + e.getMessage());
    }

    private void opened() {
        state = State.OPEN;
        if (upstream != null && fromClient.eofPassedOn) {
            shutdownOutput(upstream); // a half-close towards the upstream fired before it was connected
        }
        for (Pipe pipe : pipes()) {
            fireDue(pipe);
        }
        updateInterest();
    }

    // ---- data --------------------------------------------------------------------------------------

    /**
     * Reads a busy pipe may take in one turn of the loop before the loop serves its other connections
     * (at most 8 MiB with large buffers).
     */
    static final int READS_PER_TURN = 4;

    private void onReadable(Pipe pipe) {
        for (int reads = 1; readOnce(pipe) && reads < READS_PER_TURN; reads++) {
            // A busy source whose last read went out whole has usually written more meanwhile: reading
            // it now costs less than a trip through the selector.
        }
    }

    /** Reads once from {@code pipe}'s source. {@return whether to read again at once: it is busy and all went out} */
    private boolean readOnce(Pipe pipe) {
        if (state != State.OPEN || !pipe.wantsRead()) {
            return false; // readiness computed before a fault changed the plan
        }
        // A busy source is read into a large buffer: fewer reads and writes per byte, and the kernel's
        // cost per call is most of what relaying costs.
        ByteBuffer buffer = pipe.wantsLargeBuffer() ? loop.borrowLarge() : loop.borrow();
        boolean large = buffer.capacity() == EventLoop.LARGE_BUFFER_SIZE;
        int limit = pipe.readLimit(buffer.capacity());
        buffer.limit(limit);
        int n;
        try {
            n = pipe.source.read(buffer);
        } catch (IOException e) {
            loop.giveBack(buffer);
            broken(pipe.source);
            return false;
        }
        if (n <= 0) {
            loop.giveBack(buffer);
            if (n < 0) {
                endOfStream(pipe);
            }
            return false;
        }
        pipe.readSome(n, limit);
        if (pipe == fromClient ? clientSpoke(n) : serverSpoke(n)) {
            loop.giveBack(buffer); // a fault that fired as the turn changed ended the connection: the bytes are lost
            if (state == State.DRAINING && pipe == fromClient) {
                log.addFromClient(n); // read and discarded, as a drain does
            }
            return false;
        }
        if (pipe.sink == null && !pipe.blackhole) {
            loop.giveBack(buffer);
            consumed(pipe, n); // a stand-alone listener consumes what it reads
        } else if (pipe.blackhole || pipe.eofPassedOn) {
            loop.giveBack(buffer); // dropped
            if (pipe.direction == Direction.FROM_CLIENT) {
                log.addFromClient(n);
            }
        } else {
            pipe.enqueue(buffer.flip());
            shaper.flush(pipe);
        }
        if (state != State.OPEN) {
            return false;
        }
        updateInterest();
        // wantsRead: everything read went out (nothing queued); wantsLargeBuffer: the read was a big one, unpaced
        return large && pipe.wantsRead() && pipe.wantsLargeBuffer();
    }

    /** A stand-alone listener consumed what it read: counted and delivered at once. */
    private void consumed(Pipe pipe, int n) {
        count(pipe, n);
        pipe.transferred += n;
        fireDue(pipe);
    }

    /** Counts bytes that reached (or, negative, did not reach) the pipe's sink. */
    private void count(Pipe pipe, long n) {
        if (pipe.direction == Direction.FROM_CLIENT && pipe.sink != client) {
            log.addFromClient(n);
        }
        if (pipe.direction == Direction.TO_CLIENT || echo) {
            if (echo) {
                log.addFromClient(n); // an echo counts what it sends back as both received and sent
                if (turn == Turn.CLIENT && n > 0) {
                    turn = Turn.SERVER; // the echo is the server's turn
                    exchange.responseStarted();
                }
            }
            log.addToClient(n);
            if (exchange != null) {
                exchange.addResponseBytes(n);
            }
        }
    }

    // ---- exchanges ---------------------------------------------------------------------------------

    /**
     * {@code n} bytes were read from the client: a new request if the server spoke last (or nobody
     * did); its faults fire before the bytes go anywhere. {@return whether the connection ended or
     * closed meanwhile, so the bytes must be dropped}
     */
    private boolean clientSpoke(int n) {
        long now = System.nanoTime();
        long idle = now - lastActivity;
        lastActivity = now;
        rearmIdleWatches();
        if (turn != Turn.CLIENT) {
            boolean responded = turn == Turn.SERVER && requestsHere > 0;
            long previous = request;
            long previousHere = requestsHere;
            turn = Turn.CLIENT;
            requestsHere++;
            exchange = log.request(requestsHere);
            request = exchange.request;
            exchange.addRequestBytes(n);
            if (responded) {
                fireResponseEnd(previous, previousHere);
            }
            for (Fault fault : requestFaults) {
                Trigger.OnRequest on = (Trigger.OnRequest) fault.trigger();
                if (active() && Selections.matches(on.requests(), request, requestsHere, seed) && idle >= on.idle().toNanos()) {
                    fire(fault, fromClient);
                }
            }
            if (toClient != null) {
                long limit = Long.MAX_VALUE;
                for (Fault fault : responseFaults) {
                    Trigger.AfterResponse after = (Trigger.AfterResponse) fault.trigger();
                    if (after.bytes() > 0 && Selections.matches(after.requests(), request, requestsHere, seed)) {
                        limit = Math.min(limit, after.bytes());
                    }
                }
                toClient.turnStartLimit = limit; // the response's first read stops where its first fault is due
            }
        } else {
            exchange.addRequestBytes(n);
        }
        return state == State.CLOSED || state == State.DRAINING;
    }

    /**
     * {@code n} bytes were read from the upstream: a response if the client spoke last, the greeting
     * if nobody did; response faults at offset 0 fire now, later ones once their bytes are out.
     * {@return whether the connection ended or closed meanwhile, so the bytes must be dropped}
     */
    private boolean serverSpoke(int n) {
        if (turn == Turn.SERVER) {
            return false;
        }
        Turn before = turn;
        turn = Turn.SERVER;
        if (before == Turn.NONE) {
            exchange = log.exchange(0, 0); // the greeting: the server spoke before any request
            exchange.responseStarted();
            return false;
        }
        exchange.responseStarted();
        long start = toClient.read - n;
        toClient.turnStartLimit = Long.MAX_VALUE;
        for (Fault fault : responseFaults) {
            Trigger.AfterResponse after = (Trigger.AfterResponse) fault.trigger();
            if (Selections.matches(after.requests(), request, requestsHere, seed)) {
                if (after.bytes() == 0) {
                    if (active()) {
                        fire(fault, toClient);
                    }
                } else {
                    toClient.fireAt(start + after.bytes(), fault);
                }
            }
        }
        return state == State.CLOSED || state == State.DRAINING;
    }

    /** The response to request {@code number} ({@code here} on this connection) ended: fire its end faults. */
    private void fireResponseEnd(long number, long here) {
        for (Fault fault : responseEndFaults) {
            if (active() && Selections.matches(((Trigger.AfterResponseEnd) fault.trigger()).requests(), number, here, seed)) {
                fire(fault, fromClient);
            }
        }
    }

    /** The client was active: after-idle faults that fired start counting a new idle period. */
    private void rearmIdleWatches() {
        for (IdleWatch watch : idleWatches) {
            if (watch.spent && watch.timer == null && active()) {
                watch.spent = false;
                watch.arm(watch.nanos);
            }
        }
    }

    private void fireDue(Pipe pipe) {
        Fault due;
        while (active() && (due = pipe.due()) != null) {
            fire(due, pipe);
        }
    }

    // ---- faults ------------------------------------------------------------------------------------

    private void fire(Fault fault, Pipe at) {
        if (passedThrough) {
            return;
        }
        log.fired(fault);
        Effect effect = fault.effect();
        if (effect instanceof Effect.Reset) {
            resetClient("fault: " + fault.describe());
        } else if (effect instanceof Effect.Close) {
            closeClient("fault: " + fault.describe());
        } else if (effect instanceof Effect.Stall) {
            cancelTimers();
            state = State.STALLED;
            setInterest(clientKey, 0);
            setInterest(upstreamKey, 0);
        } else if (effect instanceof Effect.Delay delay) {
            for (Pipe pipe : at != null ? List.of(at) : pipes()) {
                pipe.paused++;
                timers.add(loop.schedule(delay.duration(), () -> {
                    pipe.paused--;
                    if (state == State.OPEN) {
                        shaper.flush(pipe);
                    }
                }));
            }
        } else if (effect instanceof Effect.HalfClose) {
            for (Pipe pipe : affected(fault)) {
                halfClose(pipe);
            }
        } else if (effect instanceof Effect.Blackhole blackhole) {
            for (Pipe pipe : affected(fault)) {
                blackhole(pipe, blackhole);
            }
        } else {
            for (Pipe pipe : affected(fault)) {
                shaper.apply(pipe, effect);
            }
        }
        if (state == State.OPEN) {
            updateInterest();
        }
    }

    private List<Pipe> affected(Fault fault) {
        List<Pipe> affected = new ArrayList<>(2);
        for (Direction direction : fault.directions()) {
            Pipe pipe = direction == Direction.FROM_CLIENT ? fromClient : echo ? fromClient : toClient;
            if (pipe != null && !affected.contains(pipe)) {
                affected.add(pipe);
            }
        }
        return affected;
    }

    /** Drops what the pipe holds and all it reads from now on; may close the client later. */
    private void blackhole(Pipe pipe, Effect.Blackhole blackhole) {
        pipe.blackhole = true;
        pipe.dropQueued(loop);
        blackhole.closeAfter().ifPresent(after -> timers.add(loop.schedule(after, () -> {
            if (active()) {
                closeClient("blackhole closed after " + after.toMillis() + " ms");
            }
        })));
    }

    /** Sends the FIN of one direction now; what still comes that way is read and dropped. */
    private void halfClose(Pipe pipe) {
        pipe.dropQueued(loop);
        pipe.eofPassedOn = true;
        if (pipe.direction == Direction.TO_CLIENT || pipe.sink == client) {
            shutdownOutput(client);
            log.listenerClosed(Closure.FIN, "half-close towards the client");
        } else if (upstream != null && upstream.isConnected()) {
            shutdownOutput(upstream);
        } // else the upstream is not connected yet: opened() sends its FIN once it is
    }

    // ---- closing -----------------------------------------------------------------------------------

    /** The source sent a FIN: pass it on once what was read before it is out (later, with a slow close). */
    private void endOfStream(Pipe pipe) {
        pipe.eof = true;
        if (pipe == fromClient) {
            log.clientClosed(Closure.FIN);
            if (turn == Turn.SERVER && requestsHere > 0) {
                fireResponseEnd(request, requestsHere); // the client's FIN comes once: so does this
                if (state != State.OPEN) {
                    return; // a fault ended the connection: a drain or a reset takes it from here
                }
            }
        } else {
            log.upstreamClosed(Closure.FIN);
        }
        passOnEndOfStream(pipe);
        if (state == State.OPEN) {
            updateInterest();
        }
    }

    private void passOnEndOfStream(Pipe pipe) {
        if (!pipe.eof || pipe.hasQueued() || shaper.finWaits(pipe, () -> passOnEndOfStream(pipe))) {
            return;
        }
        if (!pipe.eofPassedOn) {
            pipe.eofPassedOn = true;
            if (pipe == fromClient) {
                if (upstream == null) {
                    finish("client closed");
                    return;
                }
                shutdownOutput(upstream);
            } else {
                shutdownOutput(client);
                log.listenerClosed(Closure.FIN, "upstream closed");
            }
        }
        if (fromClient.eof && (toClient == null || toClient.eof) && fromClient.eofPassedOn
                && (toClient == null || toClient.eofPassedOn)) {
            finish("both sides closed");
        }
    }

    /** A read or write failed: the peer reset (or broke) the connection; pass the reset on. */
    private void broken(SocketChannel side) {
        if (side == client) {
            log.clientClosed(Closure.RST);
            if (upstream != null) {
                abortQuietly(upstream);
            }
            release(State.CLOSED);
        } else {
            log.upstreamClosed(Closure.RST);
            resetClient("upstream reset");
        }
    }

    /** After a FIN fault: discard what the client still sends until it closes, so that no RST follows. */
    private void drain() {
        ByteBuffer buffer = loop.borrow();
        try {
            int n = client.read(buffer);
            if (n > 0) {
                log.addFromClient(n);
            } else if (n < 0) {
                log.clientClosed(Closure.FIN);
                release(State.CLOSED);
            }
        } catch (IOException e) {
            log.clientClosed(Closure.RST);
            release(State.CLOSED);
        } finally {
            loop.giveBack(buffer);
        }
    }

    private void resetClient(String why) {
        log.listenerClosed(Closure.RST, why);
        abortQuietly(client);
        release(State.CLOSED);
    }

    private void closeClient(String why) {
        shutdownOutput(client);
        log.listenerClosed(Closure.FIN, why);
        cancelTimers();
        closeQuietly(upstream);
        state = State.DRAINING;
        setInterest(upstreamKey, 0);
        setInterest(clientKey, SelectionKey.OP_READ);
    }

    private void finish(String why) {
        log.listenerClosed(Closure.FIN, why);
        release(State.CLOSED);
    }

    /** Closes both channels (a FIN unless a linger of 0 was set) and forgets the connection. */
    private void release(State end) {
        cancelTimers();
        state = end;
        closeQuietly(client);
        closeQuietly(upstream);
        for (Pipe pipe : pipes()) {
            pipe.dropQueued(loop);
        }
        log.finished();
        listener.removed(this);
    }

    private void cancelTimers() {
        timers.forEach(EventLoop.Timer::cancel);
        timers.clear();
        for (IdleWatch watch : idleWatches) {
            watch.cancel();
            watch.spent = false;
        }
    }

    private void updateInterest() {
        int clientOps = 0;
        int upstreamOps = 0;
        if (state == State.CONNECTING) {
            upstreamOps = SelectionKey.OP_CONNECT;
        } else if (state == State.OPEN) {
            if (fromClient.wantsRead()) {
                clientOps |= SelectionKey.OP_READ;
            }
            if (fromClient.wantsWrite()) {
                if (echo) {
                    clientOps |= SelectionKey.OP_WRITE;
                } else {
                    upstreamOps |= SelectionKey.OP_WRITE;
                }
            }
            if (toClient != null) {
                if (toClient.wantsRead()) {
                    upstreamOps |= SelectionKey.OP_READ;
                }
                if (toClient.wantsWrite()) {
                    clientOps |= SelectionKey.OP_WRITE;
                }
            }
        }
        setInterest(clientKey, clientOps);
        setInterest(upstreamKey, upstreamOps);
    }

    private static void setInterest(SelectionKey key, int ops) {
        if (key != null && key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private static void shutdownOutput(SocketChannel channel) {
        try {
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // the peer is already gone; its own read or write will tell
        }
    }

    /** Closes with SO_LINGER 0: the kernel sends a RST and discards unsent data. */
    static void abortQuietly(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // already closed: nothing to reset
        }
        closeQuietly(channel);
    }

    static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: the peer sees whatever the kernel sends
            }
        }
    }
}
