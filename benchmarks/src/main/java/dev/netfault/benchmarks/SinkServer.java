package dev.netfault.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blocking loopback server that reads and discards everything, one thread per connection, 64 KiB
 * reads. For each connection it reports how many bytes arrived and when the end of stream did.
 */
final class SinkServer implements AutoCloseable {

    /** What one connection delivered. */
    record Received(long bytes, long endNanos) {
    }

    private final ServerSocket server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    SinkServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "sink-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@return what the next connection (in accept order) delivered, once it reached end of stream} */
    Received next() throws InterruptedException {
        Received r = received.poll(60, TimeUnit.SECONDS);
        if (r == null) {
            throw new IllegalStateException("the sink saw no end of stream within 60 s");
        }
        return r;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread reader = new Thread(() -> drain(socket), "sink-read");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void drain(Socket socket) {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (socket; InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            total = -1;
        }
        received.add(new Received(total, System.nanoTime()));
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
