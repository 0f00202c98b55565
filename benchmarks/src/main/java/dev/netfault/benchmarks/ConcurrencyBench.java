package dev.netfault.benchmarks;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.FaultListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Many concurrent connections through one listener: N clients connect (all are open before any
 * sends), then each sends its own payload, half-closes, and reads the echo back, checking every
 * byte against what it sent, until the echo server's FIN. Directly to a one-thread NIO echo server,
 * and through {@code FaultListener.inFrontOf(echo)}, in alternating rounds.
 */
final class ConcurrencyBench {

    /** What one round of N connections achieved. */
    record Outcome(int verified, int failed, String firstFailure, long connectNanos, long transferNanos) {
    }

    private static final class Conn {
        final int index;
        final ByteBuffer out;
        long received;
        boolean connected;

        Conn(int index, ByteBuffer out) {
            this.index = index;
            this.out = out;
        }
    }

    private final int connections;
    private final int payload;
    private final int rounds;
    private final byte[] pattern;

    ConcurrencyBench(int connections, int payload, int rounds) {
        this.connections = connections;
        this.payload = payload;
        this.rounds = rounds;
        // Connection k sends pattern[k, k + payload): random bytes, so a byte that reached the wrong
        // connection or the wrong offset does not match.
        this.pattern = new byte[payload + connections];
        new Random(20_26).nextBytes(pattern);
    }

    List<Row> run() throws Exception {
        try (NioEchoServer echo = new NioEchoServer();
                FaultListener listener = FaultListener.inFrontOf(echo.address()).name("bench-concurrency").start()) {
            InetSocketAddress direct = echo.address();
            InetSocketAddress through = listener.address();
            drive(direct, 100); // warm-up
            drive(through, 100);
            List<Double> directMillis = new ArrayList<>();
            List<Double> netfaultMillis = new ArrayList<>();
            int directVerified = 0;
            int netfaultVerified = 0;
            String failure = null;
            for (int i = 0; i < rounds; i++) {
                Outcome d;
                Outcome n;
                if (i % 2 == 0) {
                    d = drive(direct, connections);
                    n = drive(through, connections);
                } else {
                    n = drive(through, connections);
                    d = drive(direct, connections);
                }
                directMillis.add(d.transferNanos() / 1e6);
                netfaultMillis.add(n.transferNanos() / 1e6);
                directVerified += d.verified();
                netfaultVerified += n.verified();
                if (failure == null && n.firstFailure() != null) {
                    failure = "netfault: " + n.firstFailure();
                }
                if (failure == null && d.firstFailure() != null) {
                    failure = "direct: " + d.firstFailure();
                }
            }
            int expected = rounds * connections;
            long journalled = journalledComplete(listener, 100 + expected);
            double dm = Stats.median(directMillis);
            double nm = Stats.median(netfaultMillis);
            boolean allDelivered = netfaultVerified == expected && journalled == 100 + expected;
            List<Row> rows = new ArrayList<>();
            rows.add(new Row(connections + " concurrent echo conns x " + (payload / 1024) + " KiB, every byte checked",
                    directVerified + "/" + expected + " ok", netfaultVerified + "/" + expected + " ok",
                    "journal " + journalled + "/" + (100 + expected), "all bytes delivered", allDelivered));
            rows.add(Row.info("  time for those " + connections + " (median of " + rounds + ")",
                    String.format("%.0f ms", dm), String.format("%.0f ms", nm), String.format("%.2f x", nm / dm)));
            if (failure != null) {
                rows.add(Row.info("  first failure", "", "", failure));
            }
            return rows;
        }
    }

    /** {@return how many journal records show exactly the payload both ways and a clean FIN on both sides} */
    private long journalledComplete(FaultListener listener, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long complete;
        do {
            complete = listener.journal().connections().stream().filter(this::complete).count();
            if (complete >= expected) {
                break;
            }
            Thread.sleep(20); // the listener closes its last connections just after the clients saw the FIN
        } while (System.nanoTime() - deadline < 0);
        return complete;
    }

    private boolean complete(ConnectionRecord c) {
        return c.bytesFromClient() == payload && c.bytesToClient() == payload
                && c.clientClosure() == Closure.FIN && c.listenerClosure() == Closure.FIN;
    }

    private Outcome drive(InetSocketAddress target, int count) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        int verified = 0;
        int failed = 0;
        String firstFailure = null;
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        try (Selector selector = Selector.open()) {
            long connectStart = System.nanoTime();
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                Conn conn = new Conn(i, ByteBuffer.wrap(pattern, i, payload).slice());
                if (channel.connect(target)) {
                    conn.connected = true;
                    channel.register(selector, 0, conn);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, conn);
                }
            }
            int connected = (int) selector.keys().stream().filter(k -> ((Conn) k.attachment()).connected).count();
            while (connected < count && System.nanoTime() - deadline < 0) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (((SocketChannel) key.channel()).finishConnect()) {
                            ((Conn) key.attachment()).connected = true;
                            key.interestOps(0);
                            connected++;
                        }
                    } catch (IOException e) {
                        key.cancel();
                        key.channel().close();
                        failed++;
                        connected++;
                        firstFailure = firstFailure != null ? firstFailure : "connect: " + e;
                    }
                }
                selector.selectedKeys().clear();
            }
            long connectNanos = System.nanoTime() - connectStart;

            long start = System.nanoTime();
            for (SelectionKey key : selector.keys()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            int done = failed;
            while (done < count && System.nanoTime() - deadline < 0) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    Conn conn = (Conn) key.attachment();
                    String problem = null;
                    boolean finished = false;
                    try {
                        if (key.isWritable()) {
                            channel.write(conn.out);
                            if (!conn.out.hasRemaining()) {
                                channel.shutdownOutput();
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isReadable()) {
                            in.clear();
                            int n = channel.read(in);
                            if (n < 0) {
                                finished = true;
                                if (conn.received != payload || conn.out.hasRemaining()) {
                                    problem = "connection " + conn.index + " ended after " + conn.received + " of " + payload + " bytes";
                                }
                            } else if (conn.received + n > payload) {
                                problem = "connection " + conn.index + " received more than " + payload + " bytes";
                            } else {
                                byte[] got = in.array();
                                int base = conn.index + (int) conn.received;
                                for (int j = 0; j < n; j++) {
                                    if (got[j] != pattern[base + j]) {
                                        problem = "connection " + conn.index + ": wrong byte at offset " + (conn.received + j);
                                        break;
                                    }
                                }
                                conn.received += n;
                            }
                        }
                    } catch (IOException e) {
                        problem = "connection " + conn.index + ": " + e;
                    }
                    if (problem != null || finished) {
                        key.cancel();
                        channel.close();
                        done++;
                        if (problem != null) {
                            failed++;
                            firstFailure = firstFailure != null ? firstFailure : problem;
                        } else {
                            verified++;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            long transferNanos = System.nanoTime() - start;
            for (SelectionKey key : selector.keys()) {
                key.channel().close(); // timed out: still open
            }
            if (done < count) {
                failed += count - done;
                firstFailure = firstFailure != null ? firstFailure : (count - done) + " connections unfinished after 60 s";
            }
            return new Outcome(verified, failed, firstFailure, connectNanos, transferNanos);
        }
    }
}
