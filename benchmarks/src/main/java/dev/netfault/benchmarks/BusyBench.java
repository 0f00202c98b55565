package dev.netfault.benchmarks;

import dev.netfault.FaultListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many busy connections through one listener: N connections, all open before any sends, each
 * streams {@code bytes} to a sink and half-closes; the sink counts what arrived and closes. The
 * figure is the time until every connection saw the sink's end of stream, directly to the sink and
 * through {@code FaultListener.inFrontOf(sink)}, in interleaved rounds. Client and sink each use
 * {@code min(CPUs, 8)} threads, so that on a machine with cores to spare the relay is what limits.
 */
final class BusyBench {

    private final int connections;
    private final long bytes;
    private final int rounds;
    private final int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));

    BusyBench(int connections, long bytes, int rounds) {
        this.connections = connections;
        this.bytes = bytes;
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        try (Sink sink = new Sink(threads);
                FaultListener listener = FaultListener.inFrontOf(sink.address()).name("bench-busy").backlog(4096).start()) {
            drive(sink, sink.address(), 20); // warm-up
            drive(sink, listener.address(), 20);
            List<Double> direct = new ArrayList<>();
            List<Double> through = new ArrayList<>();
            long directOk = 0;
            long throughOk = 0;
            for (int i = 0; i < rounds; i++) {
                boolean directFirst = i % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean isDirect = (k == 0) == directFirst;
                    long[] outcome = drive(sink, isDirect ? sink.address() : listener.address(), connections);
                    (isDirect ? direct : through).add(outcome[0] / 1e6);
                    if (isDirect) {
                        directOk += outcome[1];
                    } else {
                        throughOk += outcome[1];
                    }
                }
            }
            long expected = (long) rounds * connections;
            double d = Stats.median(direct);
            double n = Stats.median(through);
            List<Row> rows = new ArrayList<>();
            rows.add(new Row(connections + " busy conns x " + (bytes >> 20) + " MiB to a sink, time (median of " + rounds + ")",
                    String.format("%.0f ms", d), String.format("%.0f ms", n), String.format("%.2f x", n / d),
                    "<= 1.50 x, all delivered", n / d <= 1.5 && throughOk == expected));
            rows.add(Row.info("  connections delivered in full", directOk + "/" + expected, throughOk + "/" + expected, ""));
            rows.add(Row.info("  every round, ms", direct.toString(), through.toString(), ""));
            return rows;
        }
    }

    /** {@return {nanos until every connection ended, connections whose bytes all arrived}} */
    private long[] drive(Sink sink, InetSocketAddress target, int count) throws Exception {
        sink.reset();
        List<List<SocketChannel>> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            perThread.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(target); // blocking connect: all are open before any sends
            perThread.get(i % threads).add(channel);
        }
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        AtomicInteger failures = new AtomicInteger();
        ByteBuffer data = ByteBuffer.allocateDirect(256 * 1024);
        for (int t = 0; t < threads; t++) {
            List<SocketChannel> mine = perThread.get(t);
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    stream(mine, data.duplicate());
                } catch (Exception e) {
                    failures.incrementAndGet();
                } finally {
                    done.countDown();
                }
            }, "busy-client");
            thread.setDaemon(true);
            thread.start();
        }
        long start = System.nanoTime();
        go.countDown();
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the clients did not finish within 120 s");
        }
        long nanos = System.nanoTime() - start;
        long complete = sink.completeWith(bytes);
        return new long[] {nanos, failures.get() == 0 ? complete : 0};
    }

    /** Streams {@code bytes} on each channel, half-closes it and waits for the sink's end of stream. */
    private void stream(List<SocketChannel> channels, ByteBuffer data) throws IOException {
        try (Selector selector = Selector.open()) {
            for (SocketChannel channel : channels) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_WRITE, new long[] {bytes});
            }
            ByteBuffer in = ByteBuffer.allocate(64);
            int open = channels.size();
            while (open > 0) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    long[] left = (long[]) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        data.clear().limit((int) Math.min(data.capacity(), left[0]));
                        left[0] -= channel.write(data);
                        if (left[0] == 0) {
                            channel.shutdownOutput();
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isValid() && key.isReadable()) {
                        in.clear();
                        if (channel.read(in) < 0) {
                            key.cancel();
                            channel.close();
                            open--;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    /** A loopback NIO sink with several threads: counts each connection's bytes, closes it at its end of stream. */
    private static final class Sink implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<Selector> selectors = new ArrayList<>();
        private final List<ConcurrentLinkedQueue<SocketChannel>> incoming = new ArrayList<>();
        private final ConcurrentLinkedQueue<Long> finished = new ConcurrentLinkedQueue<>();
        private final AtomicLong next = new AtomicLong();

        Sink(int threads) throws IOException {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            for (int t = 0; t < threads; t++) {
                Selector selector = Selector.open();
                ConcurrentLinkedQueue<SocketChannel> queue = new ConcurrentLinkedQueue<>();
                selectors.add(selector);
                incoming.add(queue);
                Thread thread = new Thread(() -> serve(selector, queue), "busy-sink");
                thread.setDaemon(true);
                thread.start();
            }
            Thread acceptor = new Thread(this::accept, "busy-sink-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        void reset() {
            finished.clear();
        }

        /** {@return how many connections ended having delivered exactly {@code bytes}} */
        long completeWith(long bytes) {
            // each client saw the sink's FIN, and the sink recorded the connection before sending it
            return finished.stream().filter(b -> b == bytes).count();
        }

        private void accept() {
            try {
                while (true) {
                    SocketChannel channel = server.accept();
                    int t = (int) (next.getAndIncrement() % selectors.size());
                    incoming.get(t).add(channel);
                    selectors.get(t).wakeup();
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void serve(Selector selector, ConcurrentLinkedQueue<SocketChannel> queue) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
            try {
                while (selector.isOpen()) {
                    selector.select();
                    SocketChannel fresh;
                    while ((fresh = queue.poll()) != null) {
                        fresh.configureBlocking(false);
                        fresh.register(selector, SelectionKey.OP_READ, new long[1]);
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        long[] count = (long[]) key.attachment();
                        try {
                            int n;
                            while ((n = channel.read(buffer.clear())) > 0) {
                                count[0] += n;
                            }
                            if (n < 0) {
                                finished.add(count[0]);
                                key.cancel();
                                channel.close();
                            }
                        } catch (IOException e) {
                            finished.add(-1L);
                            key.cancel();
                            channel.close();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException | ClosedSelectorException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Selector selector : selectors) {
                selector.close();
            }
        }
    }
}
