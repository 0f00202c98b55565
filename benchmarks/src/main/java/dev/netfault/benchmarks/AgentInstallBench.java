package dev.netfault.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the first {@code SocketAgent.install()} costs a fresh JVM (every Surefire or Gradle test fork
 * pays it), next to what the JVM attaching to itself costs alone: ByteBuddy's
 * {@code ByteBuddyAgent.install()} (netfault's shaded copy), which netfault's install starts with.
 * Fresh child JVMs of the two kinds, same {@code java}, class path and options, started alternately
 * (ABBA); each times its one call from just before it, and the parent times each JVM from its start
 * to its exit.
 */
final class AgentInstallBench {

    /** First argument of a child JVM; the second is {@link #BARE} or {@link #NETFAULT}. */
    static final String CHILD = "agent-install-child";
    private static final String BARE = "bare";
    private static final String NETFAULT = "netfault";
    private static final String LINE = "AGENT-INSTALL";
    /** ByteBuddy's agent installer as netfault's jar holds it (relocated when the jar is made). */
    private static final String SHADED_BYTEBUDDY_AGENT = "dev.netfault.internal.shaded.bytebuddy.agent.ByteBuddyAgent";
    private static final double TARGET_MILLIS = 300;

    private final int rounds;

    AgentInstallBench(int rounds) {
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        List<Double> bare = new ArrayList<>();
        List<Double> netfault = new ArrayList<>();
        List<Double> bareJvm = new ArrayList<>();
        List<Double> netfaultJvm = new ArrayList<>();
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            double[] b;
            double[] n;
            if (i % 2 == 0) {
                b = launch(BARE);
                n = launch(NETFAULT);
            } else {
                n = launch(NETFAULT);
                b = launch(BARE);
            }
            bare.add(b[0]);
            netfault.add(n[0]);
            bareJvm.add(b[1]);
            netfaultJvm.add(n[1]);
            differences.add(n[0] - b[0]);
        }
        double added = Stats.median(netfault) - Stats.median(bare);
        String each = " (fresh JVMs, " + rounds + " of each, alternating; direct = self-attach alone)";
        return List.of(
                new Row("first SocketAgent.install() vs ByteBuddyAgent.install() alone, median" + each,
                        Stats.millis(Stats.median(bare)), Stats.millis(Stats.median(netfault)),
                        String.format("+%.0f ms (rounds %+.0f..%+.0f)", added / 1e6, min(differences) / 1e6, max(differences) / 1e6),
                        String.format("<= bare + %.0f ms", TARGET_MILLIS), added <= TARGET_MILLIS * 1e6),
                Row.info("the same JVMs from start to exit, median", Stats.millis(Stats.median(bareJvm)),
                        Stats.millis(Stats.median(netfaultJvm)),
                        String.format("+%.0f ms", (Stats.median(netfaultJvm) - Stats.median(bareJvm)) / 1e6)));
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(x -> x).min().orElse(0);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(x -> x).max().orElse(0);
    }

    /** Runs one child JVM of {@code kind}, {@return the nanoseconds its install took, and the JVM from start to exit} */
    private static double[] launch(String kind) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (Runtime.version().feature() >= 21) {
            command.add("-XX:+EnableDynamicAgentLoading"); // both kinds attach to themselves: no warning about it
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), CHILD, kind));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Double install = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] f = line.split("\t");
                if (f.length == 2 && f[0].equals(LINE)) {
                    install = Double.valueOf(f[1]);
                }
            }
        }
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        long lifetime = System.nanoTime() - start;
        if (!ended || process.exitValue() != 0 || install == null) {
            process.destroyForcibly();
            throw new IllegalStateException("the " + kind + " JVM failed (exit " + (ended ? process.exitValue() : "none") + ")");
        }
        return new double[] {install, lifetime};
    }

    /**
     * The child JVM: installs one way and prints how long it took. Both kinds call through reflection,
     * looked up before the clock starts, so that neither pays for anything the other does not.
     */
    static void child(String kind) throws Exception {
        Method install = switch (kind) {
            case BARE -> Class.forName(SHADED_BYTEBUDDY_AGENT).getMethod("install");
            case NETFAULT -> Class.forName("dev.netfault.SocketAgent").getMethod("install");
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        long start = System.nanoTime();
        install.invoke(null);
        long took = System.nanoTime() - start;
        System.out.println(LINE + "\t" + took);
    }
}
