package dev.netfault.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real echo server on a loopback ephemeral port, the "real target" of the agent's tests: it
 * records the remote port of every connection it accepted, so a test can tell a direct connection
 * (the client's own local port) from one relayed by a fault listener (the listener's port).
 */
final class RealServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Integer> acceptedFrom = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final Thread acceptor;

    private RealServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "real-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static RealServer start() {
        try {
            return new RealServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** {@return the remote ports of the connections accepted so far, in accept order} */
    List<Integer> acceptedFrom() {
        return List.copyOf(acceptedFrom);
    }

    /** {@return how many connections ended (the client's side reached end of stream, or failed)} */
    int finished() {
        return finished.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                acceptedFrom.add(socket.getPort());
                Thread echo = new Thread(() -> {
                    echo(socket);
                    finished.incrementAndGet();
                }, "real-server-echo-" + socket.getPort());
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the client went away: nothing to echo
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}
