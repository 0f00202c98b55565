package dev.netfault.benchmarks;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many busy connections through one relay instance: {@code connections} clients connect (all are
 * open before any sends), then each writes its own {@code bytesPerConnection} as fast as it can,
 * on its own thread, into a {@link CountingSink}. The figure is the time from the start signal until
 * the sink has counted every byte of every connection. Each path (direct, naive relay, NetCrusher,
 * netfault with no fault) is one relay instance for the whole run; rounds rotate the order of the
 * paths, and each path's figure is the median over rounds of its time divided by the direct time
 * of the same round.
 */
final class PeersBench {

    private static final int CHUNK = 64 * 1024;

    private final int connections;
    private final int bytesPerConnection;
    private final int rounds;

    PeersBench(int connections, int bytesPerConnection, int rounds) {
        this.connections = connections;
        this.bytesPerConnection = bytesPerConnection;
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        return Peers.intoSink("bench-peers", this::measure);
    }

    private List<Row> measure(CountingSink sink, List<Peers.Relay> paths) throws Exception {
        int n = paths.size();
        for (Peers.Relay path : paths) { // warm-up: JIT for every path, a quarter of the load
            drive(sink, path, connections / 4, bytesPerConnection / 4);
        }
        List<List<Double>> millis = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            millis.add(new ArrayList<>());
            ratios.add(new ArrayList<>());
        }
        for (int i = 0; i < rounds; i++) {
            double[] round = new double[n];
            for (int k = 0; k < n; k++) {
                int p = (i + k) % n;
                round[p] = drive(sink, paths.get(p), connections, bytesPerConnection) / 1e6;
            }
            for (int p = 0; p < n; p++) {
                millis.get(p).add(round[p]);
                ratios.get(p).add(round[p] / round[0]);
            }
        }
        String[] cells = new String[n];
        cells[0] = String.format("%.0f ms", Stats.median(millis.get(0)));
        for (int p = 1; p < n; p++) {
            cells[p] = String.format("%.0f ms (%.2fx)", Stats.median(millis.get(p)), Stats.median(ratios.get(p)));
        }
        List<Double> netfault = ratios.get(Peers.Kind.NETFAULT.ordinal());
        double ratio = Stats.median(netfault);
        long total = (long) connections * bytesPerConnection;
        return List.of(Row.peers(String.format("%d busy conns x %d MiB through one relay (%.1f GiB), time to deliver all (%d rounds)",
                        connections, bytesPerConnection >> 20, total / (double) (1L << 30), rounds),
                cells[0], cells[1], cells[2], cells[3], ThroughputBench.spread(netfault) + " x", "<= 1.5x direct", ratio <= 1.5));
    }

    /** {@return nanoseconds until {@code count} connections delivered {@code bytes} each to the sink} */
    private static long drive(CountingSink sink, Peers.Relay path, int count, int bytes) throws Exception {
        InetSocketAddress target = path.address();
        List<Socket> sockets = new ArrayList<>(count);
        List<CountingSink.Counter> counters = new ArrayList<>(count);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>(count);
        long goal = sink.total().bytes() + (long) count * (bytes + 1);
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(target, 10_000);
                socket.getOutputStream().write(1); // a relay that connects upstream on first data does so now
                counters.add(sink.next());
            }
            for (Socket socket : sockets) {
                Thread writer = new Thread(() -> write(socket, bytes, go, failure), "peers-writer");
                writer.setDaemon(true);
                writer.start();
                writers.add(writer);
            }
            long start = System.nanoTime();
            go.countDown();
            long end;
            try {
                end = sink.total().await(goal, 60);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + " through " + path.kind().label, e);
            }
            for (Thread writer : writers) {
                writer.join(10_000);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a writer failed through " + path.kind().label, failure.get());
            }
            for (int i = 0; i < count; i++) {
                if (counters.get(i).bytes() != bytes + 1) {
                    throw new IllegalStateException("connection " + i + " through " + path.kind().label + " delivered "
                            + counters.get(i).bytes() + " of " + (bytes + 1) + " bytes");
                }
            }
            return end - start;
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void write(Socket socket, int bytes, CountDownLatch go, AtomicReference<Throwable> failure) {
        byte[] chunk = new byte[CHUNK];
        try {
            OutputStream out = socket.getOutputStream();
            go.await();
            for (int left = bytes; left > 0; left -= CHUNK) {
                out.write(chunk, 0, Math.min(CHUNK, left));
            }
            // No half-close: a relay may drop what it still holds when the client's FIN arrives (NetCrusher
            // 0.10 does); the sink counts the bytes, and the socket closes once they are all there.
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }
}
