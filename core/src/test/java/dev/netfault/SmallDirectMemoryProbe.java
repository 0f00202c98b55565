package dev.netfault;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs in a JVM whose direct memory (1 MiB) has no room for one of the relay's large buffers: streams
 * {@link #BYTES} through a listener into a server that counts them, and reports how many arrived and
 * how the connection ended, as {@code key=value} lines.
 */
public final class SmallDirectMemoryProbe {

    static final int BYTES = 16 * 1024 * 1024;

    public static void main(String[] args) throws Exception {
        AtomicLong received = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                FaultListener listener = FaultListener.inFrontOf((java.net.InetSocketAddress) server.getLocalSocketAddress()).start()) {
            Thread sink = new Thread(() -> {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        received.addAndGet(n);
                    }
                } catch (Exception e) {
                    System.out.println("sinkFailure=" + e);
                }
            }, "probe-sink");
            sink.start();
            String clientFailure = "none";
            try (Socket client = new Socket()) {
                client.connect(listener.address());
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < BYTES; sent += chunk.length) {
                    out.write(chunk);
                }
                client.shutdownOutput();
                client.getInputStream().read(); // the relay passes the server's end on
            } catch (Exception e) {
                clientFailure = String.valueOf(e);
            }
            sink.join(20_000);
            System.out.println("received=" + received.get());
            System.out.println("clientFailure=" + clientFailure);
            System.out.println("listenerClosure=" + listener.journal().connections().get(0).listenerClosure());
        }
    }
}
