package dev.netfault.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.netfault.FaultListener;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>CPU per GB is steadier than MB/s on a shared machine: for each trial, the CPU time this process
 * spent (client, sink and, through netfault, the listener's loop thread) and the loop thread's own
 * CPU time, divided by the gigabytes delivered; medians over the same trials.
 */
final class ThroughputBench {

    private static final int CHUNK = 64 * 1024;
    private static final String NAME = "bench-throughput";

    /** One trial: MB/s, and CPU nanoseconds per GB of the whole process and of the listener's loop thread. */
    record Trial(double mbps, double processCpuPerGb, double loopCpuPerGb) {
    }

    private final int rounds;
    private final long trialNanos;

    ThroughputBench(int rounds, long trialMillis) {
        this.rounds = rounds;
        this.trialNanos = trialMillis * 1_000_000L;
    }

    List<Row> run() throws Exception {
        try (SinkServer sink = new SinkServer();
                FaultListener listener = FaultListener.inFrontOf(sink.address()).name(NAME).start()) {
            InetSocketAddress direct = sink.address();
            InetSocketAddress through = listener.address();
            long loopThread = loopThreadId(listener.port());
            trial(sink, direct, trialNanos / 2, loopThread); // warm-up: JIT for both paths
            trial(sink, through, trialNanos / 2, loopThread);
            List<Double> directRates = new ArrayList<>();
            List<Double> netfaultRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> directCpu = new ArrayList<>();
            List<Double> netfaultCpu = new ArrayList<>();
            List<Double> loopCpu = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                Trial d;
                Trial n;
                if (i % 2 == 0) {
                    d = trial(sink, direct, trialNanos, loopThread);
                    n = trial(sink, through, trialNanos, loopThread);
                } else {
                    n = trial(sink, through, trialNanos, loopThread);
                    d = trial(sink, direct, trialNanos, loopThread);
                }
                directRates.add(d.mbps());
                netfaultRates.add(n.mbps());
                ratios.add(n.mbps() / d.mbps());
                directCpu.add(d.processCpuPerGb());
                netfaultCpu.add(n.processCpuPerGb());
                loopCpu.add(n.loopCpuPerGb());
            }
            // Each round's two trials ran back to back, so their ratio cancels most drift in the
            // machine's load; the median of those paired ratios is the figure.
            double d = Stats.median(directRates);
            double n = Stats.median(netfaultRates);
            double ratio = Stats.median(ratios);
            String spread = String.format("%.3f (rounds %.2f..%.2f)", ratio,
                    ratios.stream().mapToDouble(x -> x).min().orElse(0), ratios.stream().mapToDouble(x -> x).max().orElse(0));
            double dCpu = Stats.median(directCpu);
            double nCpu = Stats.median(netfaultCpu);
            return List.of(new Row("throughput, 1 conn, 64 KiB writes (" + rounds + " paired rounds, medians)",
                    mbps(d), mbps(n), spread, ">= 0.80 x direct", ratio >= 0.80),
                    Row.info("  process CPU per GB delivered (medians)", cpu(dCpu), cpu(nCpu), String.format("%.2f x", nCpu / dCpu)),
                    Row.info("  of which netfault's loop thread", "-", cpu(Stats.median(loopCpu)), "-"));
        }
    }

    /** {@return the id of the listener's loop thread, or -1 if it is not found} */
    private static long loopThreadId(int port) {
        String name = "netfault-" + NAME + "-" + port;
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .mapToLong(Thread::getId).findFirst().orElse(-1);
    }

    /** {@return MB/s delivered to the sink by one connection writing for {@code nanos}} */
    static double trial(SinkServer sink, InetSocketAddress target, long nanos) throws Exception {
        return trial(sink, target, nanos, -1).mbps();
    }

    /** {@return the rate and CPU cost of one connection writing for {@code nanos} into the sink} */
    static Trial trial(SinkServer sink, InetSocketAddress target, long nanos, long loopThread) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] chunk = new byte[CHUNK];
        long sent = 0;
        long start;
        long processCpu = os.getProcessCpuTime();
        long loopCpu = loopThread < 0 ? 0 : threads.getThreadCpuTime(loopThread);
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
            double gigabytes = sent / 1e9;
            double loopUsed = loopThread < 0 ? Double.NaN : threads.getThreadCpuTime(loopThread) - loopCpu;
            return new Trial(sent / ((received.endNanos() - start) / 1e9) / 1e6,
                    (os.getProcessCpuTime() - processCpu) / gigabytes, loopUsed / gigabytes);
        }
    }

    private static String cpu(double nanosPerGb) {
        return Double.isNaN(nanosPerGb) ? "-" : String.format("%.0f ms/GB", nanosPerGb / 1e6);
    }

    private static String mbps(double rate) {
        return String.format("%.0f MB/s", rate);
    }
}
