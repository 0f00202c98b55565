package dev.netfault;

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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream server for proxy tests: a blocking loopback {@link ServerSocket}, one thread per
 * connection. Every connection records the bytes its behaviour read, so a test can check exactly
 * what came through the fault listener.
 */
final class Upstream implements AutoCloseable {

    /** What the upstream does with one connection; {@code received} collects what it read. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket, OutputStream received) throws IOException;
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final List<CompletableFuture<byte[]>> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private Upstream(Behaviour behaviour) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.behaviour = behaviour;
        Thread acceptor = new Thread(this::acceptLoop, "upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static Upstream start(Behaviour behaviour) {
        try {
            return new Upstream(behaviour);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends back everything it reads; at the client's end of stream it closes (a FIN). */
    static Upstream echo() {
        return start((socket, received) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.write(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        });
    }

    /** Sends {@code response} at once, then reads until the client's end of stream and closes. */
    static Upstream sending(byte[] response) {
        return start((socket, received) -> {
            socket.getOutputStream().write(response);
            readUntilEnd(socket.getInputStream(), received);
        });
    }

    /** Reads until the client's end of stream, then sends {@code answer} and closes. */
    static Upstream readingThenAnswering(byte[] answer) {
        return start((socket, received) -> {
            readUntilEnd(socket.getInputStream(), received);
            socket.getOutputStream().write(answer);
        });
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /**
     * {@return the bytes connection {@code index} (from 1) read before it ended} Waits for the
     * connection to be accepted and to end, at most 10 s each.
     */
    byte[] received(int index) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> connections.size() >= index);
        return connections.get(index - 1).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(socket);
            CompletableFuture<byte[]> done = new CompletableFuture<>();
            connections.add(done);
            Thread serving = new Thread(() -> serve(socket, done), "upstream-connection-" + socket.getPort());
            serving.setDaemon(true);
            serving.start();
        }
    }

    private void serve(Socket socket, CompletableFuture<byte[]> done) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (socket) {
            socket.setSoTimeout(10_000); // never outlive a broken test by much
            behaviour.serve(socket, received);
        } catch (IOException e) {
            // the client side reset or vanished: what was read so far is the result
        } finally {
            done.complete(received.toByteArray());
        }
    }

    private static void readUntilEnd(InputStream in, OutputStream received) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            received.write(buffer, 0, n);
        }
    }
}
