package dev.netfault.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A classic blocking server on a loopback ephemeral port: one thread accepts, and each accepted
 * connection gets a thread of its own, which runs what the {@link Handler} returned for it. The
 * other servers here are built on it. {@link #close()} closes the listening socket and every open
 * connection, and waits for the threads to end, so nothing outlives a test.
 */
public final class LoopbackServer implements AutoCloseable {

    /** What the server does with each connection it accepts. */
    @FunctionalInterface
    public interface Handler {

        /**
         * Called on the accept thread as soon as {@code socket} is accepted, so what it records is in
         * place before the next accept.
         *
         * @return what the connection's own thread runs; the server closes the socket after it
         */
        Runnable accepted(Socket socket);
    }

    private final ServerSocket server;
    private final Handler handler;
    private final CountDownLatch gate;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile String acceptLoopEnd;

    private LoopbackServer(String name, int backlog, boolean accepting, Handler handler) {
        try {
            server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.handler = handler;
        gate = new CountDownLatch(accepting ? 0 : 1);
        acceptor = new Thread(this::acceptLoop, name + "-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * {@return a server that accepts at once, with a listen backlog of 50}
     *
     * @param name the name of its threads (never {@code netfault-...}: tests look for those as leaks)
     */
    public static LoopbackServer start(String name, Handler handler) {
        return new LoopbackServer(name, 50, true, handler);
    }

    /**
     * {@return a server that listens, so connections queue up to its {@code backlog} (Linux queues one
     * more), but accepts none until {@link #startAccepting()}}
     */
    public static LoopbackServer listening(String name, int backlog, Handler handler) {
        return new LoopbackServer(name, backlog, false, handler);
    }

    /** Lets a server made {@link #listening} accept. */
    public void startAccepting() {
        gate.countDown();
    }

    /** {@return where it listens: 127.0.0.1 and its port} */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@return whether the accept loop still runs: an accept that failed ends it, as does {@link #close()}} */
    public boolean acceptLoopAlive() {
        return acceptor.isAlive() && acceptLoopEnd == null;
    }

    private void acceptLoop() {
        try {
            gate.await();
        } catch (InterruptedException e) {
            return;
        }
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                acceptLoopEnd = Sockets.describe(e); // closed, or a failure that ends the loop
                return;
            }
            open.add(socket);
            Runnable serving = handler.accepted(socket);
            Thread thread = new Thread(() -> {
                try (socket) {
                    serving.run();
                } catch (IOException ignored) {
                    // closing anyway
                } finally {
                    open.remove(socket);
                }
            }, acceptor.getName() + "-" + (threads.size() + 1));
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Closes the listening socket and every open connection, and waits (up to 5 s each) for the threads. */
    @Override
    public void close() {
        gate.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // a listening socket holds no data
        }
        join(acceptor); // no connection is added after this
        open.forEach(LoopbackServer::closeQuietly);
        threads.forEach(LoopbackServer::join);
    }

    /** Closes {@code socket}, ignoring a failure: it is closed either way. */
    public static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
