package dev.netfault.internal;

import dev.netfault.HostileClients;
import dev.netfault.HostileConnection;
import dev.netfault.ServerReaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link HostileClients} implementation: every connection driven by one event loop. */
public final class HostileEngine implements HostileClients {

    private enum Kind { RESET_BEFORE_SENDING, RESET_AFTER_SENDING, SLOWLORIS, SILENT, NEVER_READING, FLOOD }

    /** A receive buffer small enough that a server's answer fills it at once (the kernel rounds it up). */
    private static final int TINY_RECEIVE_BUFFER = 1024;

    private final InetSocketAddress server;
    private final EventLoop loop;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private HostileEngine(InetSocketAddress server, EventLoop loop) {
        this.server = server;
        this.loop = loop;
    }

    public static HostileClients start(InetSocketAddress server) {
        try {
            EventLoop loop = new EventLoop("netfault-hostile-" + server.getPort());
            loop.start();
            return new HostileEngine(server, loop);
        } catch (IOException e) {
            throw new UncheckedIOException("netfault could not start hostile clients", e);
        }
    }

    @Override
    public HostileConnection resetBeforeSending() {
        return open(Kind.RESET_BEFORE_SENDING, new byte[0], 0, null, "connect, then reset before sending");
    }

    @Override
    public HostileConnection resetAfterSending(byte[] request, int bytes) {
        if (bytes < 0 || bytes > request.length) {
            throw new IllegalArgumentException("bytes must be from 0 to the request's length " + request.length + ", but was " + bytes);
        }
        return open(Kind.RESET_AFTER_SENDING, request, bytes, null, "send " + bytes + " of " + request.length + " bytes, then reset");
    }

    @Override
    public HostileConnection slowloris(byte[] request, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a slowloris interval must be positive, but was " + interval.toMillis() + " ms");
        }
        return open(Kind.SLOWLORIS, request, request.length, interval, "slowloris, 1 byte every " + interval.toMillis() + " ms");
    }

    @Override
    public HostileConnection silent() {
        return open(Kind.SILENT, new byte[0], 0, null, "connect and never send");
    }

    @Override
    public HostileConnection neverReading(byte[] request) {
        return open(Kind.NEVER_READING, request, request.length, null, "send " + request.length + " bytes, never read");
    }

    @Override
    public List<HostileConnection> flood(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a flood needs at least 1 connection, but was " + count);
        }
        List<HostileConnection> flood = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            flood.add(open(Kind.FLOOD, new byte[0], 0, null, "flood: connect and never send"));
        }
        return List.copyOf(flood);
    }

    private Connection open(Kind kind, byte[] request, int limit, Duration interval, String behaviour) {
        if (closed.get()) {
            throw new IllegalStateException("these hostile clients are closed");
        }
        Connection connection = new Connection(connections.size() + 1, kind, request.clone(), limit, interval, behaviour);
        connections.add(connection);
        loop.execute(connection::open);
        return connection;
    }

    @Override
    public List<HostileConnection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("hostile clients against ").append(server.getHostString()).append(':').append(server.getPort());
        for (Connection c : connections) {
            s.append("\n  ").append(c.describe());
        }
        return s.toString();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            loop.stop(() -> connections.forEach(Connection::abort));
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private final class Connection implements HostileConnection, EventLoop.Handler {
        private final int id;
        private final Kind kind;
        private final byte[] request;
        private final int limit;
        private final Duration interval;
        private final String behaviour;
        private SocketChannel channel;
        private SelectionKey key;
        private int position;
        private long connectedAt;
        private volatile boolean connected;
        private volatile InetSocketAddress local;
        private volatile long sent;
        private volatile long received;
        private volatile ServerReaction ended;
        private volatile Duration reactedAfter;

        Connection(int id, Kind kind, byte[] request, int limit, Duration interval, String behaviour) {
            this.id = id;
            this.kind = kind;
            this.request = request;
            this.limit = limit;
            this.interval = interval;
            this.behaviour = behaviour;
        }

        void open() {
            try {
                channel = SocketChannel.open(StandardProtocolFamily.INET);
                if (kind == Kind.NEVER_READING) {
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, TINY_RECEIVE_BUFFER);
                }
                channel.configureBlocking(false);
                boolean now = channel.connect(server);
                key = channel.register(loop.selector(), now ? 0 : SelectionKey.OP_CONNECT, this);
                if (now) {
                    onConnected();
                }
            } catch (IOException e) {
                end(ServerReaction.NOT_CONNECTED);
            }
        }

        @Override
        public void onReady(SelectionKey ready) throws IOException {
            if (ready.isConnectable()) {
                try {
                    if (channel.finishConnect()) {
                        onConnected();
                    }
                } catch (IOException e) {
                    end(ServerReaction.NOT_CONNECTED);
                }
                return;
            }
            if (ready.isReadable()) {
                read();
            }
            if (ended == null && ready.isValid() && ready.isWritable()) {
                write();
            }
        }

        @Override
        public void onError(Throwable failure) {
            abort();
        }

        private void onConnected() throws IOException {
            connected = true;
            connectedAt = System.nanoTime();
            local = (InetSocketAddress) channel.getLocalAddress();
            switch (kind) {
                case RESET_BEFORE_SENDING -> abort();
                case RESET_AFTER_SENDING, NEVER_READING -> write();
                case SLOWLORIS -> {
                    key.interestOps(SelectionKey.OP_READ);
                    drip();
                }
                case SILENT, FLOOD -> key.interestOps(SelectionKey.OP_READ);
            }
        }

        private void drip() {
            if (ended != null || position >= limit) {
                return;
            }
            try {
                int n = channel.write(ByteBuffer.wrap(request, position, 1));
                position += n;
                sent += n;
            } catch (IOException e) {
                end(ServerReaction.RESET); // the server reset the connection under the client's feet
                return;
            }
            loop.schedule(interval, this::drip);
        }

        private void write() throws IOException {
            try {
                int n = channel.write(ByteBuffer.wrap(request, position, limit - position));
                position += n;
                sent += n;
            } catch (IOException e) {
                end(ServerReaction.RESET);
                return;
            }
            if (position < limit) {
                key.interestOps(SelectionKey.OP_WRITE);
            } else if (kind == Kind.RESET_AFTER_SENDING) {
                abort();
            } else {
                key.interestOps(0); // NEVER_READING: the request is out; the answer stays unread
            }
        }

        private void read() {
            ByteBuffer buffer = loop.borrow();
            try {
                int n = channel.read(buffer);
                if (n > 0) {
                    received += n;
                } else if (n < 0) {
                    end(ServerReaction.CLOSED);
                }
            } catch (IOException e) {
                end(ServerReaction.RESET);
            } finally {
                loop.giveBack(buffer);
            }
        }

        private void end(ServerReaction reaction) {
            if (ended == null) {
                reactedAfter = connected ? Duration.ofNanos(System.nanoTime() - connectedAt) : null;
                ended = reaction;
            }
            Relay.closeQuietly(channel);
        }

        /** The client gives up: a RST. */
        void abort() {
            if (ended == null) {
                ended = ServerReaction.NOT_OBSERVED;
            }
            if (channel != null) {
                Relay.abortQuietly(channel);
            }
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String behaviour() {
            return behaviour;
        }

        @Override
        public Optional<InetSocketAddress> localAddress() {
            return Optional.ofNullable(local);
        }

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public long bytesSent() {
            return sent;
        }

        @Override
        public long bytesReceived() {
            return received;
        }

        @Override
        public ServerReaction reaction() {
            ServerReaction reaction = ended;
            if (reaction != null) {
                return reaction;
            }
            if (kind == Kind.NEVER_READING) {
                return ServerReaction.NOT_OBSERVED;
            }
            return connected ? ServerReaction.LEFT_OPEN : ServerReaction.NOT_CONNECTED;
        }

        @Override
        public Optional<Duration> reactedAfter() {
            ServerReaction reaction = ended;
            return reaction == ServerReaction.CLOSED || reaction == ServerReaction.RESET ? Optional.ofNullable(reactedAfter) : Optional.empty();
        }

        @Override
        public String describe() {
            return "#" + id + " " + behaviour + ": " + (connected ? "connected" : "not connected") + ", sent " + sent + " bytes, received "
                    + received + " bytes, server " + reaction() + reactedAfter().map(d -> " after " + d.toMillis() + " ms").orElse("");
        }

        @Override
        public String toString() {
            return describe();
        }
    }
}
