package dev.netfault.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pass-through throughput on one connection: a blocking client writes 64 KiB chunks for a fixed
 * time into a blocking {@link CountingSink}, over each {@link Peers} path (direct, naive relay,
 * NetCrusher, netfault with no fault). A trial's rate is the bytes sent divided by the time from the
 * first write to the moment the sink has counted them all.
 *
 * <p>The headline row is the best each path can do: one long-lived connection per path, opened
 * once and warmed (JIT, TCP windows), then timed trials on that same connection. Trials run in
 * rounds, one per path, the order rotating from round to round; each path's ratio is the median over
 * rounds of its rate divided by the direct rate of the same round, so drift in the machine's load
 * cancels. A second row opens a fresh connection for every trial (the setup cost and cold windows
 * included), as the benchmark did before. CPU per GB is steadier than MB/s on a shared machine: the
 * CPU time this whole process spent (client, sink and relay) per gigabyte delivered.
 */
final class ThroughputBench {

    private static final int CHUNK = 64 * 1024;

    /**
     * One trial: MB/s, CPU nanoseconds per GB of the whole process, and of the path's relay threads
     * alone (client and sink excluded; 0 for the direct path).
     */
    record Trial(double mbps, double cpuPerGb, double relayCpuPerGb) {
    }

    /** Rates, CPU and per-round ratios to direct, one list per path. */
    private static final class Series {
        final List<List<Double>> rates = new ArrayList<>();
        final List<List<Double>> ratios = new ArrayList<>();
        final List<List<Double>> cpu = new ArrayList<>();
        final List<List<Double>> relayCpu = new ArrayList<>();
        final List<Double> netfaultToCrusher = new ArrayList<>();

        Series(int paths) {
            for (int p = 0; p < paths; p++) {
                rates.add(new ArrayList<>());
                ratios.add(new ArrayList<>());
                cpu.add(new ArrayList<>());
                relayCpu.add(new ArrayList<>());
            }
        }

        void add(Trial[] round) {
            for (int p = 0; p < round.length; p++) {
                rates.get(p).add(round[p].mbps());
                ratios.get(p).add(round[p].mbps() / round[0].mbps());
                cpu.get(p).add(round[p].cpuPerGb());
                relayCpu.get(p).add(round[p].relayCpuPerGb());
            }
            netfaultToCrusher.add(round[Peers.Kind.NETFAULT.ordinal()].mbps() / round[Peers.Kind.NETCRUSHER.ordinal()].mbps());
        }
    }

    private final int rounds;
    private final int freshRounds;
    private final long trialNanos;

    ThroughputBench(int rounds, int freshRounds, long trialMillis) {
        this.rounds = rounds;
        this.freshRounds = freshRounds;
        this.trialNanos = trialMillis * 1_000_000L;
    }

    List<Row> run() throws Exception {
        return Peers.intoSink("bench-throughput", this::measure);
    }

    private List<Row> measure(CountingSink sink, List<Peers.Relay> paths) throws Exception {
        int n = paths.size();
        Series longLived = new Series(n);
        Series fresh = new Series(n);
        List<Lane> lanes = new ArrayList<>();
        try {
            for (Peers.Relay path : paths) {
                lanes.add(new Lane(sink, path));
            }
            for (int w = 0; w < 3; w++) { // warm-up: JIT for every path, TCP windows of every lane
                for (Lane lane : lanes) {
                    lane.trial(trialNanos / 2);
                }
            }
            for (int i = 0; i < rounds; i++) {
                Trial[] round = new Trial[n];
                for (int k = 0; k < n; k++) {
                    int p = (i + k) % n;
                    round[p] = lanes.get(p).trial(trialNanos);
                }
                longLived.add(round);
            }
        } finally {
            for (Lane lane : lanes) {
                lane.close();
            }
        }
        for (int i = 0; i < freshRounds; i++) {
            Trial[] round = new Trial[n];
            for (int k = 0; k < n; k++) {
                int p = (i + k) % n;
                try (Lane lane = new Lane(sink, paths.get(p))) {
                    round[p] = lane.trial(trialNanos);
                }
            }
            fresh.add(round);
        }

        int cpus = Runtime.getRuntime().availableProcessors();
        double netfaultRatio = Stats.median(longLived.ratios.get(Peers.Kind.NETFAULT.ordinal()));
        double overCrusher = Stats.median(longLived.netfaultToCrusher);
        boolean pass = overCrusher > 1.0 && (cpus < 16 || netfaultRatio >= 0.95);
        String target = cpus >= 16 ? "> NetCrusher, >= 0.95" : "> NetCrusher (>= 0.95 on 16 cores)";
        List<Row> rows = new ArrayList<>();
        rows.add(rateRow("throughput, 1 long-lived conn, 64 KiB writes (" + rounds + " rounds of "
                + trialNanos / 1_000_000 + " ms, medians)", longLived, target, pass));
        rows.add(Row.peersInfo("  netfault / NetCrusher, same round (median, spread)", "", "", "", "",
                spread(longLived.netfaultToCrusher)));
        rows.add(rateRow("  fresh conn per trial (" + freshRounds + " rounds)", fresh, "-", null));
        List<String> cpu = msPerGb(longLived.cpu, false);
        double netfaultCpu = Stats.median(longLived.cpu.get(Peers.Kind.NETFAULT.ordinal()));
        rows.add(Row.peersInfo("  process CPU per GB delivered, long-lived (medians)", cpu.get(0), cpu.get(1), cpu.get(2),
                cpu.get(3), String.format("%.2f x direct", netfaultCpu / Stats.median(longLived.cpu.get(0)))));
        List<String> relayCpu = msPerGb(longLived.relayCpu, true);
        double netfaultRelay = Stats.median(longLived.relayCpu.get(Peers.Kind.NETFAULT.ordinal()));
        double crusherRelay = Stats.median(longLived.relayCpu.get(Peers.Kind.NETCRUSHER.ordinal()));
        rows.add(Row.peersInfo("  the relay's own threads' CPU per GB, long-lived (medians)", relayCpu.get(0), relayCpu.get(1),
                relayCpu.get(2), relayCpu.get(3), String.format("%.2f x NetCrusher", netfaultRelay / crusherRelay)));
        return rows;
    }

    /** {@return each path's median of {@code series} (CPU nanoseconds per GB) as "N ms/GB"; "-" for direct where it has none} */
    private static List<String> msPerGb(List<List<Double>> series, boolean noDirect) {
        List<String> cells = new ArrayList<>();
        for (int p = 0; p < series.size(); p++) {
            cells.add(p == 0 && noDirect ? "-" : String.format("%.0f ms/GB", Stats.median(series.get(p)) / 1e6));
        }
        return cells;
    }

    private static Row rateRow(String metric, Series s, String target, Boolean pass) {
        String[] cells = new String[s.rates.size()];
        for (int p = 0; p < cells.length; p++) {
            double rate = Stats.median(s.rates.get(p));
            cells[p] = p == 0 ? String.format("%.0f MB/s", rate)
                    : String.format("%.0f MB/s (%.2f)", rate, Stats.median(s.ratios.get(p)));
        }
        return Row.peers(metric, cells[0], cells[1], cells[2], cells[3],
                spread(s.ratios.get(Peers.Kind.NETFAULT.ordinal())), target, pass);
    }

    /** {@return "median (min..max)" of per-round ratios} */
    static String spread(List<Double> ratios) {
        return String.format("%.2f (%.2f..%.2f)", Stats.median(ratios),
                ratios.stream().mapToDouble(x -> x).min().orElse(0), ratios.stream().mapToDouble(x -> x).max().orElse(0));
    }

    /**
     * {@return MB/s delivered to the sink by a fresh connection writing for {@code nanos}, until the
     * sink's end of stream} (AgentOverheadBench's trial: one connection per JVM.)
     */
    static double trial(SinkServer sink, InetSocketAddress target, long nanos) throws Exception {
        byte[] chunk = new byte[CHUNK];
        long sent = 0;
        try (Socket socket = new Socket()) {
            socket.connect(target, 5_000);
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
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

    /** One connection into the sink through one path, kept open for as many trials as asked. */
    private static final class Lane implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final CountingSink.Counter counter;
        private final byte[] chunk = new byte[CHUNK];
        private long sent;

        private final String relayThreads;

        Lane(CountingSink sink, Peers.Relay path) throws Exception {
            relayThreads = path.kind().threadPrefix;
            socket = new Socket();
            socket.connect(path.address(), 5_000);
            out = socket.getOutputStream();
            // One byte first: a relay that connects upstream only when data arrives connects now,
            // so the sink's next accepted connection is this one.
            out.write(1);
            sent = 1;
            counter = sink.next();
            counter.await(sent, 30);
        }

        Trial trial(long nanos) throws Exception {
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            Map<Long, Long> relayBefore = relayThreadCpu();
            long bytes = 0;
            long start = System.nanoTime();
            long deadline = start + nanos;
            do {
                out.write(chunk);
                bytes += CHUNK;
            } while (System.nanoTime() - deadline < 0);
            sent += bytes;
            long end = counter.await(sent, 60);
            long processCpu = os.getProcessCpuTime() - cpu;
            long relayCpu = 0;
            for (Map.Entry<Long, Long> thread : relayThreadCpu().entrySet()) {
                relayCpu += thread.getValue() - relayBefore.getOrDefault(thread.getKey(), 0L);
            }
            double gb = bytes / 1e9;
            return new Trial(bytes / ((end - start) / 1e9) / 1e6, processCpu / gb, relayCpu / gb);
        }

        /** {@return CPU nanoseconds so far of each live thread of this lane's relay, by thread id} */
        private Map<Long, Long> relayThreadCpu() {
            Map<Long, Long> cpu = new HashMap<>();
            if (relayThreads == null) {
                return cpu;
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith(relayThreads)) {
                    long nanos = threads.getThreadCpuTime(info.getThreadId());
                    if (nanos >= 0) {
                        cpu.put(info.getThreadId(), nanos);
                    }
                }
            }
            return cpu;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
