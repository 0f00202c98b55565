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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking loopback sink for connections that stay open across trials: one thread per
 * connection reads 64 KiB at a time and counts the bytes into that connection's {@link Counter}
 * and into the sink's {@link #total() total}. A trial ends when the counter reaches the bytes the
 * client sent ({@link Counter#await}), so a connection can carry many timed trials, warmed once.
 */
final class CountingSink implements AutoCloseable {

    /** Bytes received so far, and a way to wait until they reach a goal. */
    static final class Counter {
        private final AtomicLong bytes = new AtomicLong();
        private volatile long goal = Long.MAX_VALUE;
        private long reachedAt;
        private volatile boolean ended;

        long bytes() {
            return bytes.get();
        }

        /** {@return whether the connection reached end of stream (or failed)} */
        boolean ended() {
            return ended;
        }

        void add(long n) {
            long now = bytes.addAndGet(n);
            if (now >= goal) {
                synchronized (this) {
                    if (reachedAt == 0 && now >= goal) {
                        reachedAt = System.nanoTime();
                        notifyAll();
                    }
                }
            }
        }

        /**
         * {@return the {@code System.nanoTime()} at which the count reached {@code target}} Waits at
         * most {@code timeoutSeconds}.
         */
        synchronized long await(long target, int timeoutSeconds) throws InterruptedException {
            reachedAt = 0;
            goal = target;
            try {
                if (bytes.get() >= target) {
                    return System.nanoTime();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
                while (reachedAt == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("the sink received " + bytes.get() + " of " + target
                                + " bytes within " + timeoutSeconds + " s");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                return reachedAt;
            } finally {
                goal = Long.MAX_VALUE;
            }
        }
    }

    private final ServerSocket server;
    private final Counter total = new Counter();
    private final BlockingQueue<Counter> accepted = new LinkedBlockingQueue<>();

    CountingSink() throws IOException {
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "counting-sink-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@return the bytes of every connection together} */
    Counter total() {
        return total;
    }

    /** {@return the counter of the next connection the sink accepted (in accept order)} */
    Counter next() throws InterruptedException {
        Counter c = accepted.poll(30, TimeUnit.SECONDS);
        if (c == null) {
            throw new IllegalStateException("the sink accepted no connection within 30 s");
        }
        return c;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Counter counter = new Counter();
                accepted.add(counter);
                Thread reader = new Thread(() -> drain(socket, counter), "counting-sink-read");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void drain(Socket socket, Counter counter) {
        byte[] buffer = new byte[64 * 1024];
        try (socket; InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                counter.add(n);
                total.add(n);
            }
        } catch (IOException e) {
            // reset: the counter keeps what arrived
        } finally {
            counter.ended = true;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
