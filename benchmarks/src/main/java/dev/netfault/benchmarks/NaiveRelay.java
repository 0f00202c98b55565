package dev.netfault.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The reference relay of ANCHORS.md's "measured here" table: blocking sockets, two threads per
 * connection, one per direction, no faults. Measured in the same run as netfault so that the
 * latency target (+25 us, against the naive relay's +20 us there) is read against the same
 * machine state and the same thread placement.
 */
final class NaiveRelay implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress upstream;

    NaiveRelay(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::acceptLoop, "naive-accept");
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket up = new Socket();
                up.connect(upstream, 5_000);
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                daemon(() -> pump(client, up), "naive-to-upstream");
                daemon(() -> pump(up, client), "naive-to-client");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (from; to; InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // one side went away: closing both ends the other pump too
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
