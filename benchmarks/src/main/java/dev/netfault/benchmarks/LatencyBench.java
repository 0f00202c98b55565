package dev.netfault.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Added round-trip latency: 1-byte ping-pong (TCP_NODELAY, blocking sockets) against an echo
 * server over each {@link Peers} path (direct, naive relay, NetCrusher, netfault with no fault), in
 * rotating blocks on one long-lived, warmed connection per path. A second figure opens a fresh
 * connection for each sample and times connect plus the first round trip: what a client that does
 * not pool connections pays per request.
 */
final class LatencyBench {

    private final int rounds;
    private final int perBlock;
    private final int freshSamples;

    LatencyBench(int rounds, int perBlock, int freshSamples) {
        this.rounds = rounds;
        this.perBlock = perBlock;
        this.freshSamples = freshSamples;
    }

    List<Row> run() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            List<Peers.Relay> paths = Peers.all(echo.address(), "bench-latency");
            try {
                return measure(paths);
            } finally {
                Peers.closeAll(paths);
            }
        }
    }

    private List<Row> measure(List<Peers.Relay> relays) throws Exception {
        int n = relays.size();
        long[][] samples = new long[n][rounds * perBlock];
        List<Pinger> pingers = new ArrayList<>();
        try {
            for (Peers.Relay relay : relays) {
                pingers.add(new Pinger(relay.address()));
            }
            long[] scratch = new long[perBlock];
            for (int i = 0; i < 5; i++) { // warm-up: JIT for every path
                for (Pinger pinger : pingers) {
                    pinger.block(scratch, 0, perBlock);
                }
            }
            for (int i = 0; i < rounds; i++) {
                for (int k = 0; k < n; k++) { // rotate which path goes first
                    int p = (i + k) % n;
                    pingers.get(p).block(samples[p], i * perBlock, perBlock);
                }
            }
        } finally {
            for (Pinger pinger : pingers) {
                pinger.close();
            }
        }
        long[][] fresh = new long[n][freshSamples];
        for (int i = -20; i < freshSamples; i++) { // the first 20 warm up
            for (int k = 0; k < n; k++) {
                int p = (Math.max(i, 0) + k) % n;
                long t = firstRoundTrip(relays.get(p).address());
                if (i >= 0) {
                    fresh[p][i] = t;
                }
            }
        }

        // Each round's blocks ran back to back: the round's netfault p50 minus its direct p50 is a
        // paired difference; their spread over rounds shows how much the machine's load moved.
        List<Double> roundDeltas = new ArrayList<>();
        int nfIndex = Peers.Kind.NETFAULT.ordinal();
        for (int i = 0; i < rounds; i++) {
            long d = Stats.percentile(Arrays.copyOfRange(samples[0], i * perBlock, (i + 1) * perBlock), 50);
            long f = Stats.percentile(Arrays.copyOfRange(samples[nfIndex], i * perBlock, (i + 1) * perBlock), 50);
            roundDeltas.add((f - d) / 1e3);
        }
        double[] sorted = roundDeltas.stream().mapToDouble(x -> x).sorted().toArray();
        String spread = String.format(" (middle half of rounds %+.0f..%+.0f)", sorted[sorted.length / 4],
                sorted[(3 * sorted.length) / 4]);
        long[] p50 = new long[n];
        long[] p99 = new long[n];
        long[] fresh50 = new long[n];
        for (int p = 0; p < n; p++) {
            p50[p] = Stats.percentile(samples[p], 50);
            p99[p] = Stats.percentile(samples[p], 99);
            fresh50[p] = Stats.percentile(fresh[p], 50);
        }
        int nf = Peers.Kind.NETFAULT.ordinal();
        long added = p50[nf] - p50[0];
        boolean lead = p50[nf] < p50[Peers.Kind.NAIVE.ordinal()] && p50[nf] < p50[Peers.Kind.NETCRUSHER.ordinal()];
        String count = " (" + rounds + " rounds x " + perBlock + " each)";
        Row median;
        if (PinnedLatencyBench.isPinnedChild()) {
            // Every thread on one CPU: each hop is a plain context switch, so the difference between
            // the paths is the relays' own cost (see PinnedLatencyBench).
            median = row("1-byte round trip p50, long-lived conns" + count, p50, "<= +25 us, < both peers",
                    lead && added <= 25_000);
        } else if (Runtime.getRuntime().availableProcessors() >= 16) {
            median = row("1-byte round trip p50, long-lived conns" + count, p50, "<= +15 us, < both peers",
                    lead && added <= 15_000);
        } else {
            median = row("1-byte round trip p50, long-lived conns" + count, p50, "< both peers (<= +15 us on 16 cores)", lead);
        }
        median = new Row(median.metric(), median.direct(), median.naive(), median.crusher(), median.netfault(),
                median.comparison() + spread, median.target(), median.pass(), false);
        return List.of(median,
                row("  p99", p99, "-", null),
                row("  fresh conn: connect + first round trip, p50 (" + freshSamples + " each)", fresh50, "-", null));
    }

    /** {@return a row of latencies: direct, then each path with its difference to direct} */
    private static Row row(String metric, long[] nanos, String target, Boolean pass) {
        String[] cells = new String[nanos.length];
        cells[0] = Stats.micros(nanos[0]);
        for (int p = 1; p < nanos.length; p++) {
            cells[p] = String.format("%s (%+.1f)", Stats.micros(nanos[p]), (nanos[p] - nanos[0]) / 1e3);
        }
        int nf = Peers.Kind.NETFAULT.ordinal();
        return Row.peers(metric, cells[0], cells[1], cells[2], cells[3],
                String.format("%+.1f us", (nanos[nf] - nanos[0]) / 1e3), target, pass);
    }

    /** {@return nanoseconds from before connect to the first echoed byte, on a new connection} */
    private static long firstRoundTrip(InetSocketAddress target) throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(target, 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(42);
            if (socket.getInputStream().read() != 42) {
                throw new IllegalStateException("the echo answered something else via " + target);
            }
            return System.nanoTime() - start;
        }
    }

    /** One connection doing ping-pong. */
    static final class Pinger implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Pinger(InetSocketAddress target) throws Exception {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(target, 5_000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void block(long[] into, int from, int count) throws Exception {
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                out.write(42);
                if (in.read() != 42) {
                    throw new IllegalStateException("the echo answered something else at round trip " + i);
                }
                into[from + i] = System.nanoTime() - start;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
