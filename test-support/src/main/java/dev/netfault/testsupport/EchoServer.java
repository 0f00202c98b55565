package dev.netfault.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real echo server on a loopback ephemeral port, the real target of the socket agent's tests. It
 * records the remote port of each connection it accepted, so a test tells a direct connection (the
 * client's own local port) from one a fault listener relayed (the listener's port).
 */
public final class EchoServer implements AutoCloseable {

    private final List<Integer> acceptedFrom = new CopyOnWriteArrayList<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final LoopbackServer server;

    private EchoServer() {
        server = LoopbackServer.start("echo-server", socket -> {
            acceptedFrom.add(socket.getPort());
            return () -> {
                echo(socket);
                finished.incrementAndGet();
            };
        });
    }

    /** {@return a started echo server} */
    public static EchoServer start() {
        return new EchoServer();
    }

    public int port() {
        return server.port();
    }

    /** {@return the loopback address and its port} */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** {@return the remote ports of the connections accepted so far, in accept order} */
    public List<Integer> acceptedFrom() {
        return List.copyOf(acceptedFrom);
    }

    /** {@return how many connections ended (the client's side reached end of stream, or failed), each closed by then} */
    public int finished() {
        return finished.get();
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

    /** Closes the server and every connection, and waits for its threads to end. */
    @Override
    public void close() {
        server.close();
    }
}
