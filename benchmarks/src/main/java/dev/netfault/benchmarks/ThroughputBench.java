package dev.netfault.benchmarks;

import dev.netfault.FaultListener;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Pass-through throughput on one connection: a blocking client writes 64 KiB chunks for a fixed
 * time into a blocking sink, directly or through {@code FaultListener.inFrontOf(sink)} with no
 * fault. Trials alternate between the two paths (ABBA), each on a new connection; a trial's rate is
 * the bytes the sink received divided by the time from the first write to the sink's end of stream.
 * The ratio is the median over rounds of netfault's rate divided by the direct rate of the same round.
 */
final class ThroughputBench {

    private static final int CHUNK = 64 * 1024;

    private final int rounds;
    private final long trialNanos;

    ThroughputBench(int rounds, long trialMillis) {
        this.rounds = rounds;
        this.trialNanos = trialMillis * 1_000_000L;
    }

    List<Row> run() throws Exception {
        try (SinkServer sink = new SinkServer();
                FaultListener listener = FaultListener.inFrontOf(sink.address()).name("bench-throughput").start()) {
            InetSocketAddress direct = sink.address();
            InetSocketAddress through = listener.address();
            trial(sink, direct, trialNanos / 2); // warm-up: JIT for both paths
            trial(sink, through, trialNanos / 2);
            List<Double> directRates = new ArrayList<>();
            List<Double> netfaultRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                double d;
                double n;
                if (i % 2 == 0) {
                    d = trial(sink, direct, trialNanos);
                    n = trial(sink, through, trialNanos);
                } else {
                    n = trial(sink, through, trialNanos);
                    d = trial(sink, direct, trialNanos);
                }
                directRates.add(d);
                netfaultRates.add(n);
                ratios.add(n / d);
            }
            // Each round's two trials ran back to back, so their ratio cancels most drift in the
            // machine's load; the median of those paired ratios is the figure.
            double d = Stats.median(directRates);
            double n = Stats.median(netfaultRates);
            double ratio = Stats.median(ratios);
            String spread = String.format("%.3f (rounds %.2f..%.2f)", ratio,
                    ratios.stream().mapToDouble(x -> x).min().orElse(0), ratios.stream().mapToDouble(x -> x).max().orElse(0));
            return List.of(new Row("throughput, 1 conn, 64 KiB writes (" + rounds + " paired rounds, medians)",
                    mbps(d), mbps(n), spread, ">= 0.80 x direct", ratio >= 0.80));
        }
    }

    /** {@return MB/s delivered to the sink by one connection writing for {@code nanos}} */
    static double trial(SinkServer sink, InetSocketAddress target, long nanos) throws Exception {
        byte[] chunk = new byte[CHUNK];
        long sent = 0;
        long start;
        try (Socket socket = new Socket()) {
            socket.connect(target, 5_000);
            OutputStream out = socket.getOutputStream();
            start = System.nanoTime();
            long deadline = start + nanos;
            do {
                out.write(chunk);
                sent += CHUNK;
            } while (System.nanoTime() - deadline < 0);
            socket.shutdownOutput();
            SinkServer.Received received = sink.next();
            if (received.bytes() != sent) {
                throw new IllegalStateException("the sink received " + received.bytes() + " of " + sent + " bytes via " + target);
            }
            return sent / ((received.endNanos() - start) / 1e9) / 1e6;
        }
    }

    private static String mbps(double rate) {
        return String.format("%.0f MB/s", rate);
    }
}
