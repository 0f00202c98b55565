package dev.netfault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real server for fault listeners to relay to (an upstream, or the target the socket agent
 * redirects): a {@link LoopbackServer} whose every connection records what it read, in which reads,
 * when the first byte came, and how reading ended (end of stream, or the exception), so a test can
 * assert what the server's side of a fault looked like.
 */
public final class RecordingServer implements AutoCloseable {

    /** What the server does with one connection; {@code connection} records what it reads. */
    @FunctionalInterface
    public interface Handler {
        void serve(Socket socket, Connection connection) throws IOException;
    }

    /** What happened on one accepted connection, as the server saw it. Thread-safe. */
    public static final class Connection {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Reads.Read> reads = new CopyOnWriteArrayList<>();
        private volatile String readEnd;
        private volatile long readEndNanos;
        private volatile long firstReadNanos;

        private Connection() {
        }

        /** {@return every byte read so far} */
        public byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        /** {@return every byte read, once reading ended; waits up to 10 s for that end} */
        public byte[] receivedUntilEnd() {
            Waiting.await().until(() -> readEnd != null);
            return received();
        }

        /** {@return how reading ended: {@code "EOF"} or {@code "SimpleClassName: message"}; empty while it goes on} */
        public Optional<String> readEnd() {
            return Optional.ofNullable(readEnd);
        }

        /** {@return every read that returned data: when its call began and returned, and its size} */
        public List<Reads.Read> reads() {
            return List.copyOf(reads);
        }

        /** {@return when the first data arrived, from {@link System#nanoTime()}; 0 before} */
        public long firstReadNanos() {
            return firstReadNanos;
        }

        /** {@return when reading ended, from {@link System#nanoTime()}} */
        public long readEndNanos() {
            return readEndNanos;
        }

        /** Reads until the end of the stream or a failure, recording everything. */
        public void readUntilEnd(Socket socket) {
            readUntilEnd(socket, null);
        }

        /** Reads until the end of the stream or a failure, recording everything and writing it to {@code echo} if not null. */
        private void readUntilEnd(Socket socket, OutputStream echo) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                long start = System.nanoTime();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    reads.add(new Reads.Read(start, System.nanoTime(), n));
                    if (firstReadNanos == 0) {
                        firstReadNanos = System.nanoTime();
                    }
                    synchronized (received) {
                        received.write(buffer, 0, n);
                    }
                    if (echo != null) {
                        echo.write(buffer, 0, n);
                    }
                    start = System.nanoTime();
                }
                ended("EOF");
            } catch (IOException e) {
                ended(Sockets.describe(e));
            }
        }

        private void ended(String how) {
            readEndNanos = System.nanoTime();
            readEnd = how;
        }
    }

    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final LoopbackServer server;

    private RecordingServer(Handler handler) {
        server = LoopbackServer.start("recording-server", socket -> {
            Connection connection = new Connection();
            connections.add(connection);
            return () -> {
                try (socket) { // closed before a failure is recorded
                    handler.serve(socket, connection);
                } catch (IOException e) {
                    connection.ended(Sockets.describe(e));
                }
            };
        });
    }

    /** {@return a started server that runs {@code handler} on each connection} */
    public static RecordingServer start(Handler handler) {
        return new RecordingServer(handler);
    }

    /** {@return a started server that sends back what it reads, and closes at the client's end of stream} */
    public static RecordingServer echo() {
        return start((socket, connection) -> connection.readUntilEnd(socket, socket.getOutputStream()));
    }

    /** {@return a started server that sends {@code data} in one write, then reads until the client's end, then closes} */
    public static RecordingServer sending(byte[] data) {
        return start((socket, connection) -> {
            socket.getOutputStream().write(data);
            connection.readUntilEnd(socket);
        });
    }

    /** {@return a started server that sends {@code data} in one write and shuts its output at once (a FIN right after the data), then reads} */
    public static RecordingServer sendingThenClosing(byte[] data) {
        return start((socket, connection) -> {
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            connection.readUntilEnd(socket);
        });
    }

    /** {@return a started server that reads the request until its end of stream, then sends {@code answer} and closes} */
    public static RecordingServer answeringAtEndOfRequest(byte[] answer) {
        return start((socket, connection) -> {
            connection.readUntilEnd(socket);
            socket.getOutputStream().write(answer);
        });
    }

    /** {@return a started server that only reads, until the client's end} */
    public static RecordingServer reading() {
        return start((socket, connection) -> connection.readUntilEnd(socket));
    }

    /** {@return where it listens: 127.0.0.1 and its port} */
    public InetSocketAddress address() {
        return server.address();
    }

    public int port() {
        return server.port();
    }

    /** {@return the connections accepted so far, in order} */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** {@return connection {@code index} (0 is the first), waiting up to 10 s for it to be accepted} */
    public Connection connection(int index) {
        Waiting.await().until(() -> connections.size() > index);
        return connections.get(index);
    }

    /** {@return how many connections it accepted so far} */
    public int accepted() {
        return connections.size();
    }

    /** Closes the server and every connection, and waits for its threads to end. */
    @Override
    public void close() {
        server.close();
    }
}
