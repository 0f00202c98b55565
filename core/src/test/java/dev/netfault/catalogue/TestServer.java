package dev.netfault.catalogue;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real upstream for fault listeners: loopback, an ephemeral port, a thread per connection that
 * runs a {@link Handler}. Each connection's record says what the server read, in which reads,
 * and how its reading ended (end of stream, or the exception), so tests can assert what the server
 * side of a fault looked like.
 */
final class TestServer implements AutoCloseable {

    /** What the server does with one connection. */
    interface Handler {
        void serve(Socket socket, Connection connection) throws IOException;
    }

    /** What happened on one accepted connection. Thread-safe. */
    static final class Connection {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Io.Read> reads = new CopyOnWriteArrayList<>();
        private volatile String readEnd;
        private volatile long readEndNanos;
        private volatile long firstReadNanos;

        /** {@return every byte read so far} */
        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        /** {@return how reading ended: {@code "EOF"} or {@code "SimpleClassName: message"}; empty while it goes on} */
        Optional<String> readEnd() {
            return Optional.ofNullable(readEnd);
        }

        /** {@return every read that returned data: when its call began and returned, and its size} */
        List<Io.Read> reads() {
            return List.copyOf(reads);
        }

        /** {@return when the first data arrived, from {@link System#nanoTime()}; 0 before} */
        long firstReadNanos() {
            return firstReadNanos;
        }

        /** {@return when reading ended, from {@link System#nanoTime()}} */
        long readEndNanos() {
            return readEndNanos;
        }

        /** Reads until the end of the stream or a failure, recording everything. */
        void readUntilEnd(Socket socket) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                long start = System.nanoTime();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    reads.add(new Io.Read(start, System.nanoTime(), n));
                    record(buffer, n);
                    start = System.nanoTime();
                }
                ended("EOF");
            } catch (IOException e) {
                ended(Io.describe(e));
            }
        }

        private void record(byte[] buffer, int n) {
            if (firstReadNanos == 0) {
                firstReadNanos = System.nanoTime();
            }
            synchronized (received) {
                received.write(buffer, 0, n);
            }
        }

        private void ended(String how) {
            readEndNanos = System.nanoTime();
            readEnd = how;
        }
    }

    private final ServerSocket server;
    private final Handler handler;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private TestServer(Handler handler) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.handler = handler;
        acceptor = new Thread(this::acceptLoop, "test-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static TestServer start(Handler handler) {
        return new TestServer(handler);
    }

    /** Sends back what it reads. */
    static TestServer echo() {
        return start((socket, connection) -> {
            byte[] buffer = new byte[64 * 1024];
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int n;
            try {
                while ((n = in.read(buffer)) >= 0) {
                    connection.record(buffer, n);
                    out.write(buffer, 0, n);
                }
                connection.ended("EOF");
            } catch (IOException e) {
                connection.ended(Io.describe(e));
            }
        });
    }

    /** Sends {@code data} in one write, then reads until the client's end; then closes. */
    static TestServer sending(byte[] data) {
        return start((socket, connection) -> {
            socket.getOutputStream().write(data);
            connection.readUntilEnd(socket);
        });
    }

    /** Sends {@code data} in one write and closes at once (a FIN after the data). */
    static TestServer sendingThenClosing(byte[] data) {
        return start((socket, connection) -> {
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            connection.readUntilEnd(socket);
        });
    }

    /** Reads the request until its end of stream, then sends {@code answer} and closes. */
    static TestServer answeringAtEndOfRequest(byte[] answer) {
        return start((socket, connection) -> {
            connection.readUntilEnd(socket);
            socket.getOutputStream().write(answer);
        });
    }

    /** Only reads, until the client's end. */
    static TestServer reading() {
        return start((socket, connection) -> connection.readUntilEnd(socket));
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@return the connections accepted so far, in order} */
    List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** {@return connection {@code index} (0 is the first), waiting for it to be accepted} */
    Connection connection(int index) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> connections.size() > index);
        return connections.get(index);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Connection connection = new Connection();
            connections.add(connection);
            open.add(socket);
            Thread thread = new Thread(() -> {
                try (socket) {
                    handler.serve(socket, connection);
                } catch (IOException e) {
                    connection.ended(Io.describe(e));
                } finally {
                    open.remove(socket);
                }
            }, acceptor.getName() + "-" + connections.size());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // a listening socket holds no data
        }
        join(acceptor);
        for (Socket socket : new ArrayList<>(open)) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.forEach(TestServer::join);
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
