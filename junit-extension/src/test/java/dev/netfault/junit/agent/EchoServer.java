package dev.netfault.junit.agent;

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

/**
 * A real echo server on a loopback ephemeral port: the real target the application connects to. It
 * records the remote port of each connection it accepted, so a test tells a direct connection (the
 * client's own local port) from one a fault listener relayed.
 */
final class EchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Integer> acceptedFrom = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private EchoServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "echo-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static EchoServer start() {
        try {
            return new EchoServer();
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

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                acceptedFrom.add(socket.getPort());
                Thread echo = new Thread(() -> echo(socket), "echo-server-connection");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the client went away
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
