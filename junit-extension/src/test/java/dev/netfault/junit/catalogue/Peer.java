package dev.netfault.junit.catalogue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real server behind the fault listener in these tests (an upstream, or the target the agent
 * redirects): loopback, an ephemeral port, a thread per connection. Each connection records what
 * it read, in which reads, when the first byte came, and how reading ended.
 */
final class Peer implements AutoCloseable {

    /** What the server does on each connection, after it recorded nothing yet. */
    private interface Behaviour {
        void serve(Socket socket, Connection connection) throws IOException;
    }

    /** One accepted connection, as the server saw it. Thread-safe. */
    static final class Connection {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Slices.Read> reads = new CopyOnWriteArrayList<>();
        private volatile long firstReadNanos;
        private volatile long endNanos;
        private volatile String end;

        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        /** {@return every read that returned data, with its timing} */
        List<Slices.Read> reads() {
            return List.copyOf(reads);
        }

        /** {@return when the first byte arrived, from {@link System#nanoTime()}; 0 before} */
        long firstReadNanos() {
            return firstReadNanos;
        }

        /** {@return when reading ended, from {@link System#nanoTime()}} */
        long endNanos() {
            return endNanos;
        }

        /** {@return how reading ended, {@code "EOF"} or {@code "SimpleClassName: message"}; empty while it goes on} */
        Optional<String> end() {
            return Optional.ofNullable(end);
        }

        private void readUntilEnd(Socket socket, OutputStream echo) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                long start = System.nanoTime();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    reads.add(new Slices.Read(start, System.nanoTime(), n));
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
                ended(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        private void ended(String how) {
            endNanos = System.nanoTime();
            end = how;
        }
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private Peer(Behaviour behaviour) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.behaviour = behaviour;
        acceptor = new Thread(this::acceptLoop, "peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Sends back what it reads. */
    static Peer echo() {
        return new Peer((socket, connection) -> connection.readUntilEnd(socket, socket.getOutputStream()));
    }

    /** Sends {@code data} in one write, then reads until the client's end. */
    static Peer sending(byte[] data) {
        return new Peer((socket, connection) -> {
            socket.getOutputStream().write(data);
            connection.readUntilEnd(socket, null);
        });
    }

    /** Sends {@code data} in one write and shuts its output at once (a FIN right after the data). */
    static Peer sendingThenClosing(byte[] data) {
        return new Peer((socket, connection) -> {
            socket.getOutputStream().write(data);
            socket.shutdownOutput();
            connection.readUntilEnd(socket, null);
        });
    }

    /** Reads the request until its end of stream, then answers {@code answer} and closes. */
    static Peer answeringAtEndOfRequest(byte[] answer) {
        return new Peer((socket, connection) -> {
            connection.readUntilEnd(socket, null);
            socket.getOutputStream().write(answer);
        });
    }

    /** Only reads. */
    static Peer reading() {
        return new Peer((socket, connection) -> connection.readUntilEnd(socket, null));
    }

    /** {@return {@code length} bytes from a fixed seed: a shifted, dropped or reordered byte shows} */
    static byte[] data(int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(length).nextBytes(bytes);
        return bytes;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@return connection {@code index} (0 is the first), waiting up to 10 s for it} */
    Connection connection(int index) {
        dev.netfault.junit.support.Waiting.await().until(() -> connections.size() > index);
        return connections.get(index);
    }

    /** {@return how many connections it accepted} */
    int accepted() {
        return connections.size();
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
                    behaviour.serve(socket, connection);
                } catch (IOException e) {
                    connection.ended(e.getClass().getSimpleName() + ": " + e.getMessage());
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
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.forEach(Peer::join);
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
