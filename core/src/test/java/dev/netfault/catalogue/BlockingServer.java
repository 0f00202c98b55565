package dev.netfault.catalogue;

import dev.netfault.testsupport.LoopbackServer;
import dev.netfault.testsupport.Sockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application's server in the hostile-client tests: a classic blocking accept loop with a
 * thread per connection (a {@link LoopbackServer}), speaking a tiny HTTP-like protocol (a request
 * ends with an empty line; the answer is a fixed status line, headers and body). Its defences are
 * options: a deadline for the whole request (what stops a slowloris, which a per-read timeout does
 * not), a guard on each write (what stops a client that never reads), and a gate that keeps it from
 * accepting (so a flood fills its accept queue). It records what it did to each connection, as the
 * server's own view.
 */
final class BlockingServer implements AutoCloseable {

    /** A defence against a slow or hostile client, each with a time limit. */
    enum Defence {
        /** The whole request must arrive within this time after accept, or the server closes the connection. */
        REQUEST_DEADLINE,
        /** Each read may wait this long (a socket read timeout, for every read on its own). */
        READ_TIMEOUT,
        /** A write that takes longer than this makes the server drop (close) the connection. */
        WRITE_GUARD
    }

    /** What the server did with one connection. Thread-safe. */
    static final class Served {
        private final long acceptedNanos = System.nanoTime();
        private final AtomicLong bytesRead = new AtomicLong();
        private final AtomicLong bytesWritten = new AtomicLong();
        private volatile String outcome;
        private volatile long outcomeNanos;

        /** {@return "answered", "dropped: the write stalled", "SimpleClassName: message" of the failure, or "EOF before the request"; empty while serving} */
        Optional<String> outcome() {
            return Optional.ofNullable(outcome);
        }

        /** {@return how long after accept the outcome came} */
        Duration outcomeAfter() {
            return Duration.ofNanos(outcomeNanos - acceptedNanos);
        }

        long bytesRead() {
            return bytesRead.get();
        }

        long bytesWritten() {
            return bytesWritten.get();
        }

        private void end(String what) {
            if (outcome == null) {
                outcomeNanos = System.nanoTime();
                outcome = what;
            }
        }
    }

    private final Duration requestDeadline;
    private final Duration readTimeout;
    private final Duration writeGuard;
    private final byte[] answer;
    private final List<Served> served = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService guards = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "blocking-server-guard");
        t.setDaemon(true);
        return t;
    });
    private final LoopbackServer server;

    private BlockingServer(Builder builder) {
        requestDeadline = builder.defences.get(Defence.REQUEST_DEADLINE);
        readTimeout = builder.defences.get(Defence.READ_TIMEOUT);
        writeGuard = builder.defences.get(Defence.WRITE_GUARD);
        String head = "HTTP/1.1 200 OK\r\nContent-Length: " + builder.bodySize + "\r\nConnection: close\r\n\r\n";
        answer = new byte[head.length() + builder.bodySize];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, answer, 0, head.length());
        LoopbackServer.Handler handler = socket -> {
            Served connection = new Served();
            served.add(connection);
            return () -> serve(socket, connection);
        };
        server = LoopbackServer.listening("blocking-server", builder.backlog, handler);
        if (!builder.gated) {
            server.startAccepting();
        }
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private final Map<Defence, Duration> defences = new EnumMap<>(Defence.class);
        private int backlog = 50;
        private int bodySize = 2;
        private boolean gated;

        /** The listen backlog; Linux queues one more connection than this. */
        Builder backlog(int value) {
            backlog = value;
            return this;
        }

        /** Defends the server with {@code defence}, whose limit is {@code value}. */
        Builder defence(Defence defence, Duration value) {
            defences.put(defence, value);
            return this;
        }

        /** The size of the answer's body. */
        Builder bodySize(int value) {
            bodySize = value;
            return this;
        }

        /** Start without accepting, until {@link BlockingServer#startAccepting()}. */
        Builder notAcceptingYet() {
            gated = true;
            return this;
        }

        BlockingServer start() {
            return new BlockingServer(this);
        }
    }

    InetSocketAddress address() {
        return server.address();
    }

    /** Opens the gate of a server built {@link Builder#notAcceptingYet()}. */
    void startAccepting() {
        server.startAccepting();
    }

    /** {@return every connection accepted so far, in order} */
    List<Served> served() {
        return List.copyOf(served);
    }

    /** {@return whether the accept loop still runs} */
    boolean acceptLoopAlive() {
        return server.acceptLoopAlive();
    }

    /** {@return the answer a well-behaved client gets} */
    byte[] answer() {
        return answer.clone();
    }

    private void serve(Socket socket, Served connection) {
        try (socket) { // closed before a failure is recorded, as an application's try-with-resources does
            if (readRequest(socket, connection)) {
                write(socket, connection);
            }
        } catch (IOException e) {
            connection.end(Sockets.describe(e));
        }
    }

    /** {@return whether a whole request arrived} */
    private boolean readRequest(Socket socket, Served connection) throws IOException {
        long deadline = requestDeadline == null ? 0 : System.nanoTime() + requestDeadline.toNanos();
        if (readTimeout != null) {
            socket.setSoTimeout((int) readTimeout.toMillis());
        }
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!request.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
            if (requestDeadline != null) {
                long left = (deadline - System.nanoTime() + 999_999) / 1_000_000; // rounded up: never before the deadline
                if (left <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
                socket.setSoTimeout((int) left);
            }
            int n = in.read(buffer);
            if (n < 0) {
                connection.end("EOF before the request");
                return false;
            }
            request.write(buffer, 0, n);
            connection.bytesRead.addAndGet(n);
        }
        return true;
    }

    private void write(Socket socket, Served connection) throws IOException {
        OutputStream out = socket.getOutputStream();
        for (int at = 0; at < answer.length; at += 8192) {
            int n = Math.min(8192, answer.length - at);
            ScheduledFuture<?> guard = writeGuard == null ? null : guards.schedule(() -> {
                connection.end("dropped: the write stalled");
                LoopbackServer.closeQuietly(socket);
            }, writeGuard.toMillis(), TimeUnit.MILLISECONDS);
            try {
                out.write(answer, at, n);
            } finally {
                if (guard != null) {
                    guard.cancel(false);
                }
            }
            connection.bytesWritten.addAndGet(n);
        }
        connection.end("answered");
    }

    @Override
    public void close() {
        server.close();
        guards.shutdownNow();
    }
}
