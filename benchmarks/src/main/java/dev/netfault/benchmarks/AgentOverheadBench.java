package dev.netfault.benchmarks;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the socket agent costs the application's own connections when no rule matches them: the
 * direct loopback 1-byte round trip (as {@link LatencyBench}) and single-connection throughput (as
 * {@link ThroughputBench}) in fresh JVMs of two kinds, started alternately (ABBA): plain, and one
 * that installs the agent first and keeps a rule open that matches none of the measured
 * connections, so the hooks run their checks on every connect, read and write. Each round pairs one
 * JVM of each kind; a figure's ratio is the median over rounds of agent / plain. The agent JVMs
 * also report how long their first {@link SocketAgent#install()} took. Where {@code taskset} works,
 * every child runs on CPU 0 only, so its round trips are plain context switches, not cross-CPU wake-ups.
 */
final class AgentOverheadBench {

    /** First argument of a child JVM; the second is {@link #PLAIN} or {@link #AGENT}. */
    static final String CHILD = "agent-overhead-child";
    private static final String PLAIN = "plain";
    private static final String AGENT = "agent";
    private static final String LINE = "AGENT-OVERHEAD";


    private static final int PING_BLOCK = 1_000;
    private static final int PING_BLOCKS = 10;
    private static final int TRIALS = 4;
    private static final long TRIAL_NANOS = 250_000_000L;

    private final int rounds;

    AgentOverheadBench(int rounds) {
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        boolean pinned = PinnedLatencyBench.tasksetWorks();
        List<Double> plainRtt = new ArrayList<>();
        List<Double> agentRtt = new ArrayList<>();
        List<Double> rttRatios = new ArrayList<>();
        List<Double> plainRate = new ArrayList<>();
        List<Double> agentRate = new ArrayList<>();
        List<Double> rateRatios = new ArrayList<>();
        List<Double> installs = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Map<String, Double> plain;
            Map<String, Double> agent;
            if (i % 2 == 0) {
                plain = launch(PLAIN, pinned);
                agent = launch(AGENT, pinned);
            } else {
                agent = launch(AGENT, pinned);
                plain = launch(PLAIN, pinned);
            }
            plainRtt.add(plain.get("rtt50"));
            agentRtt.add(agent.get("rtt50"));
            rttRatios.add(agent.get("rtt50") / plain.get("rtt50"));
            plainRate.add(plain.get("rate"));
            agentRate.add(agent.get("rate"));
            rateRatios.add(agent.get("rate") / plain.get("rate"));
            installs.add(agent.get("install"));
        }
        double rttRatio = Stats.median(rttRatios);
        double rateRatio = Stats.median(rateRatios);
        String each = " (" + rounds + " JVMs each, alternating" + (pinned ? ", pinned to CPU 0" : "") + "; direct = no agent)";
        return List.of(
                new Row("agent installed, no rule matching: 1-byte RTT p50" + each,
                        Stats.micros(Stats.median(plainRtt)), Stats.micros(Stats.median(agentRtt)),
                        spread(rttRatio, rttRatios), "<= 1.03 x direct", rttRatio <= 1.03),
                new Row("agent installed, no rule matching: throughput, 1 conn" + each,
                        String.format("%.0f MB/s", Stats.median(plainRate)), String.format("%.0f MB/s", Stats.median(agentRate)),
                        spread(rateRatio, rateRatios), ">= 0.97 x direct", rateRatio >= 0.97),
                Row.info("first SocketAgent.install() in a fresh JVM (median of " + rounds + (pinned ? ", on 1 CPU" : "") + ")", "-",
                        Stats.millis(Stats.median(installs)), String.format("%.0f..%.0f ms",
                                installs.stream().mapToDouble(x -> x).min().orElse(0) / 1e6,
                                installs.stream().mapToDouble(x -> x).max().orElse(0) / 1e6)));
    }

    private static String spread(double ratio, List<Double> ratios) {
        return String.format("%.3f (rounds %.3f..%.3f)", ratio,
                ratios.stream().mapToDouble(x -> x).min().orElse(0), ratios.stream().mapToDouble(x -> x).max().orElse(0));
    }

    /** Runs one child JVM of {@code kind}, {@return the figures it printed} */
    private static Map<String, Double> launch(String kind, boolean pinned) throws Exception {
        List<String> command = new ArrayList<>();
        if (pinned) {
            // As PinnedLatencyBench: on a small VM, whether client and echo thread share a CPU changes
            // the round trip from JVM to JVM by more than the few per cent measured here.
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xms256m");
        command.add("-Xmx256m");
        if (kind.equals(AGENT) && Runtime.version().feature() >= 21) {
            command.add("-XX:+EnableDynamicAgentLoading"); // no warning about the self-attach
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), CHILD, kind));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Double> figures = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] f = line.split("\t");
                if (f.length == 3 && f[0].equals(LINE)) {
                    figures.put(f[1], Double.valueOf(f[2]));
                }
            }
        }
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        List<String> expected = kind.equals(AGENT) ? List.of("rtt50", "rate", "install") : List.of("rtt50", "rate");
        if (!ended || process.exitValue() != 0 || !figures.keySet().containsAll(expected)) {
            process.destroyForcibly();
            throw new IllegalStateException("the " + kind + " JVM failed (exit " + (ended ? process.exitValue() : "none")
                    + ", printed " + figures + ")");
        }
        return figures;
    }

    /** The child JVM: measures and prints its figures, one per line. */
    static void child(String kind) throws Exception {
        AgentRule rule = null;
        if (kind.equals(AGENT)) {
            long start = System.nanoTime();
            SocketAgent.install();
            print("install", System.nanoTime() - start);
            // A rule for a loopback server the benchmark never uses: it matches nothing measured below.
            try (ServerSocket unused = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Target nothing = Target.parse("127.0.0.1:" + unused.getLocalPort());
                rule = SocketAgent.refuse(nothing);
                checkRuleIsLive(nothing);
            }
        } else if (!kind.equals(PLAIN)) {
            throw new IllegalArgumentException("unknown kind " + kind);
        }
        try (EchoServer echo = new EchoServer(); LatencyBench.Pinger pinger = new LatencyBench.Pinger(echo.address())) {
            long[] scratch = new long[PING_BLOCK];
            for (int i = 0; i < 5; i++) { // warm-up: JIT
                pinger.block(scratch, 0, PING_BLOCK);
            }
            long[] samples = new long[PING_BLOCK * PING_BLOCKS];
            for (int i = 0; i < PING_BLOCKS; i++) {
                pinger.block(samples, i * PING_BLOCK, PING_BLOCK);
            }
            print("rtt50", Stats.percentile(samples, 50));
        }
        try (SinkServer sink = new SinkServer()) {
            ThroughputBench.trial(sink, sink.address(), TRIAL_NANOS); // warm-up: JIT
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < TRIALS; i++) {
                rates.add(ThroughputBench.trial(sink, sink.address(), TRIAL_NANOS));
            }
            print("rate", Stats.median(rates));
        }
        if (rule != null) {
            rule.close();
        }
    }

    /** The rule must be in force, or the agent JVM would measure the hooks' idle path instead. */
    private static void checkRuleIsLive(Target nothing) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(nothing.host(), nothing.port()), 5_000); // listening: only the rule refuses
            throw new IllegalStateException("the refuse rule for " + nothing + " let a connection through");
        } catch (ConnectException expected) {
            // refused by the rule, as intended
        }
    }

    private static void print(String key, double value) {
        System.out.println(LINE + "\t" + key + "\t" + value);
    }
}
