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

/**
 * One accepted connection: relays it (to the upstream, back to the client, or into the void) and
 * fires its faults at exact points. Loop thread only.
 */
final class Relay {

    private enum State { STARTING, CONNECTING, OPEN, DRAINING, STALLED, CLOSED }

    private final ListenerEngine listener;
    private final EventLoop loop;
    private final SocketChannel client;
    private final JournalImpl.Entry log;
    private final List<Fault> faults;
    private final boolean echo;
    private final Pipe fromClient;
    private final Pipe toClient;
    private final List<EventLoop.Timer> timers = new ArrayList<>();
    private SocketChannel upstream;
    private SelectionKey clientKey;
    private SelectionKey upstreamKey;
    private State state = State.STARTING;

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
                flush(echo ? fromClient : toClient);
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
                flush(fromClient);
            }
        }

        @Override
        public void onError(Throwable failure) {
            resetClient("netfault failed: " + failure);
        }
    };

    Relay(ListenerEngine listener, EventLoop loop, SocketChannel client, JournalImpl.Entry log, List<Fault> faults,
            boolean echo, boolean proxy) {
        this.listener = listener;
        this.loop = loop;
        this.client = client;
        this.log = log;
        this.faults = faults;
        this.echo = echo;
        this.fromClient = new Pipe(Direction.FROM_CLIENT, client, echo ? client : null, faults, echo);
        this.toClient = proxy ? new Pipe(Direction.TO_CLIENT, null, client, faults, false) : null;
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
        upstream = SocketChannel.open(StandardProtocolFamily.INET);
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

    /** Stops everything at listener close: the client gets a RST (no TIME_WAIT, no half-open peer). */
    void shutdown() {
        if (state != State.CLOSED) {
            resetClient("listener closed");
        }
    }

    private boolean active() {
        return state == State.STARTING || state == State.CONNECTING || state == State.OPEN;
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
        fireDue(fromClient);
        if (toClient != null) {
            fireDue(toClient);
        }
        updateInterest();
    }

    private void onReadable(Pipe pipe) {
        if (!pipe.wantsRead() || state != State.OPEN) {
            return; // readiness computed before a fault changed the plan
        }
        ByteBuffer buffer = loop.borrow();
        buffer.limit(pipe.readLimit(buffer.capacity()));
        int n;
        try {
            n = pipe.source.read(buffer);
        } catch (IOException e) {
            loop.giveBack(buffer);
            broken(pipe.source);
            return;
        }
        if (n <= 0) {
            loop.giveBack(buffer);
            if (n < 0) {
                endOfStream(pipe);
            }
            return;
        }
        if (pipe.sink == null) {
            loop.giveBack(buffer);
            delivered(pipe, n);
        } else {
            pipe.pending = buffer.flip();
            flush(pipe);
        }
        if (state == State.OPEN) {
            updateInterest();
        }
    }

    private void flush(Pipe pipe) {
        ByteBuffer buffer = pipe.pending;
        if (buffer == null) {
            return;
        }
        int before = buffer.remaining();
        try {
            pipe.sink.write(buffer);
        } catch (IOException e) {
            broken(pipe.sink);
            return;
        }
        if (!buffer.hasRemaining()) {
            pipe.pending = null;
            loop.giveBack(buffer);
        }
        delivered(pipe, before - buffer.remaining());
        if (state == State.OPEN) {
            updateInterest();
        }
    }

    private void delivered(Pipe pipe, int n) {
        pipe.transferred += n;
        if (pipe.direction == Direction.FROM_CLIENT) {
            log.addFromClient(n);
        }
        if (pipe.direction == Direction.TO_CLIENT || echo) {
            log.addToClient(n);
        }
        fireDue(pipe);
    }

    private void fireDue(Pipe pipe) {
        Fault due;
        while (active() && (due = pipe.due()) != null) {
            fire(due, pipe);
        }
    }

    private void fire(Fault fault, Pipe at) {
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
            List<Pipe> paused = at != null ? List.of(at) : toClient != null ? List.of(fromClient, toClient) : List.of(fromClient);
            for (Pipe pipe : paused) {
                pipe.paused++;
                timers.add(loop.schedule(delay.duration(), () -> {
                    pipe.paused--;
                    if (state == State.OPEN) {
                        updateInterest();
                    }
                }));
            }
            if (state == State.OPEN) {
                updateInterest();
            }
        }
    }

    /** The source sent a FIN. */
    private void endOfStream(Pipe pipe) {
        pipe.eof = true;
        if (pipe == fromClient) {
            log.clientClosed(Closure.FIN);
            if (upstream == null) {
                finish("client closed");
                return;
            }
            shutdownOutput(upstream);
        } else {
            log.upstreamClosed(Closure.FIN);
            shutdownOutput(client);
            log.listenerClosed(Closure.FIN, "upstream closed");
        }
        if (fromClient.eof && (toClient == null || toClient.eof)) {
            finish("both sides closed");
        } else {
            updateInterest();
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
        for (Pipe pipe : toClient == null ? List.of(fromClient) : List.of(fromClient, toClient)) {
            pipe.pending = null;
        }
        log.finished();
        listener.removed(this);
    }

    private void cancelTimers() {
        timers.forEach(EventLoop.Timer::cancel);
        timers.clear();
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
