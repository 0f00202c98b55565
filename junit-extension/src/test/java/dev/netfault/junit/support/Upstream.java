package dev.netfault.junit.support;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real server for fault listeners to relay to: on 127.0.0.1, an ephemeral port, one thread per
 * connection. It either echoes what it receives, or sends a fixed greeting and then only reads;
 * either way it records every byte it received, per connection.
 */
public final class Upstream implements AutoCloseable {

    private final ServerSocket server;
    private final byte[] greeting;
    private final boolean echo;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> handlers = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();

    private Upstream(byte[] greeting, boolean echo) {
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.greeting = greeting.clone();
        this.echo = echo;
        this.acceptor = new Thread(this::acceptLoop, "upstream-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** {@return a started server that sends back whatever each client sends} */
    public static Upstream echo() {
        return new Upstream(new byte[0], true);
    }

    /** {@return a started server that sends {@code greeting} on each connection, then reads until the client closes} */
    public static Upstream sending(byte[] greeting) {
        return new Upstream(greeting, false);
    }

    /** {@return where it listens} */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@return how many connections it accepted so far} */
    public int accepted() {
        return received.size();
    }

    /** {@return what connection {@code index} (0 is the first) received so far} */
    public byte[] received(int index) {
        ByteArrayOutputStream bytes = received.get(index);
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                received.add(bytes);
                Thread handler = new Thread(() -> serve(socket, bytes), acceptor.getName() + "-" + received.size());
                handler.setDaemon(true);
                handlers.add(handler);
                handler.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket, ByteArrayOutputStream bytes) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            out.write(greeting);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (bytes) {
                    bytes.write(buffer, 0, n);
                }
                if (echo) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the client (a fault listener) reset or closed: nothing more to serve
        } finally {
            open.remove(socket);
        }
    }

    /** Closes the server and every connection, and waits for its threads to end. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // a listening socket holds no data
        }
        join(acceptor); // no connection is added after this
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        handlers.forEach(Upstream::join);
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
