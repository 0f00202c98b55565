package dev.netfault.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Runs netfault's benchmarks, each side by side with the direct loopback path and the peers (the
 * naive thread-per-connection relay, NetCrusher) in one run, and prints one table: metric, direct,
 * naive relay, NetCrusher, netfault, netfault's ratio or delta to direct, target, result. A section
 * whose peers differ (per-test cost: MockWebServer, WireMock) has its own column heading.
 *
 * <p>From the repository root: {@code mvn -q -pl benchmarks -am package -DskipTests -Pbench}, with
 * {@code -Dbench=throughput,peers} to pick benchmarks by name (the system property
 * {@code netfault.bench}); arguments, space- or comma-separated, pick them too. None, or
 * {@code all}, runs them all. Exit status 0 whether or not targets are met (the table says which),
 * 1 if a benchmark could not run.
 */
public final class Main {

    private Main() {
    }

    /** First argument of a child JVM that prints its rows for the parent to parse. */
    static final String ROWS = "rows";

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("idle-server")) {
            IdleServer.main(args[1]);
            return;
        }
        if (args.length == 2 && args[0].equals(AgentOverheadBench.CHILD)) {
            AgentOverheadBench.child(args[1]);
            System.exit(0);
        }
        if (args.length == 2 && args[0].equals(AgentInstallBench.CHILD)) {
            AgentInstallBench.child(args[1]);
            System.exit(0);
        }
        Map<String, Callable<List<Row>>> benchmarks = new LinkedHashMap<>();
        benchmarks.put("throughput", () -> new ThroughputBench(10, 6, 500).run());
        benchmarks.put("latency", () -> new LatencyBench(100, 200, 300).run());
        benchmarks.put("latency-pinned", () -> new PinnedLatencyBench().run());
        benchmarks.put("peers", () -> new PeersBench(200, (Runtime.getRuntime().availableProcessors() >= 8 ? 16 : 4) << 20, 9).run());
        benchmarks.put("concurrency", () -> new ConcurrencyBench(1_000, 64 * 1024, 3).run());
        benchmarks.put("idle", () -> new IdleBench(10_000).run());
        benchmarks.put("idle-cpu", () -> new IdleCpuBench(100, 3_000).run());
        benchmarks.put("install", () -> new InstallBench(5).run());
        benchmarks.put("threads", () -> new ThreadGrowthBench(10_000).run());
        benchmarks.put("agent-overhead", () -> new AgentOverheadBench(4).run());
        benchmarks.put("agent-install", () -> new AgentInstallBench(10).run());
        if (args.length > 0 && args[0].equals(ROWS)) {
            // A child JVM (see PinnedLatencyBench): rows only, one per line, for the parent to parse.
            for (String name : Arrays.asList(args).subList(1, args.length)) {
                for (Row row : benchmarks.get(name).call()) {
                    System.out.println(formatRow(row));
                }
            }
            System.exit(0);
        }
        List<String> chosen = chosen(args, benchmarks.keySet());
        for (String name : chosen) {
            if (!benchmarks.containsKey(name)) {
                System.err.println("unknown benchmark '" + name + "'; choose from " + benchmarks.keySet());
                System.exit(1);
            }
        }

        System.out.println("netfault benchmarks: " + machine());
        System.out.println("Each figure is measured next to the direct loopback path and the peers in the same run, interleaved;"
                + " (x.xx) is a path's ratio to direct.");
        long start = System.nanoTime();
        MachineLoad load = new MachineLoad();
        List<Row> rows = new ArrayList<>();
        boolean broken = false;
        for (String name : chosen) {
            long t = System.nanoTime();
            System.out.print("  running " + name + " ...");
            System.out.flush();
            try {
                List<Row> more = benchmarks.get(name).call();
                boolean relabelled = rows.stream().filter(Row::header).reduce((a, b) -> b).map(h -> h != DEFAULT_HEADER).orElse(false);
                if (relabelled && !more.isEmpty() && !more.get(0).header()) {
                    rows.add(DEFAULT_HEADER);
                }
                rows.addAll(more);
            } catch (Exception e) {
                broken = true;
                rows.add(new Row(name, "-", "-", "could not run: " + e, "-", false));
                e.printStackTrace();
            }
            System.out.printf(" %.1f s%n", (System.nanoTime() - t) / 1e9);
        }
        print(rows);
        long met = rows.stream().filter(r -> Boolean.TRUE.equals(r.pass())).count();
        long targets = rows.stream().filter(r -> r.pass() != null).count();
        System.out.printf("%d of %d targets met; total %.1f s%n", met, targets, (System.nanoTime() - start) / 1e9);
        System.out.println(load.describe());
        System.exit(broken ? 1 : 0);
    }

    /** The column headings of the table, until a benchmark's own {@linkplain Row#header header} row. */
    private static final Row DEFAULT_HEADER = Row.header("metric", "direct", "naive relay", "NetCrusher", "netfault",
            "netfault: ratio / delta");

    /** {@return the benchmarks named by the arguments or by -Dnetfault.bench, in the order given; all if none} */
    private static List<String> chosen(String[] args, Set<String> known) {
        List<String> names = new ArrayList<>();
        List<String> given = new ArrayList<>(Arrays.asList(args));
        if (given.isEmpty()) {
            given.add(System.getProperty("netfault.bench", ""));
        }
        for (String arg : given) {
            for (String name : arg.split("[,\\s]+")) {
                if (!name.isBlank() && !name.equals("all")) {
                    names.add(name.trim());
                }
            }
        }
        for (String name : names) {
            if (!known.contains(name)) {
                System.err.println("unknown benchmark '" + name + "'; choose from " + known + " (-Dbench=a,b or arguments)");
                System.exit(1);
            }
        }
        return names.isEmpty() ? List.copyOf(known) : names;
    }

    /** {@return one line: CPUs and their model, memory, JDK, OS and kernel} */
    private static String machine() {
        String model = "";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().map(m -> " (" + m + ")").orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux: no model name
        }
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : -1;
        return String.format("%d CPUs%s, %s memory; JDK %s (%s %s); %s %s (%s)", Runtime.getRuntime().availableProcessors(), model,
                memory > 0 ? String.format("%.0f GiB", memory / (double) (1L << 30)) : "? GiB",
                Runtime.version(), System.getProperty("java.vm.vendor"), System.getProperty("java.vm.name"),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
    }

    private static String formatRow(Row row) {
        return String.join("\t", "ROW", row.metric(), row.direct(), row.naive(), row.crusher(), row.netfault(), row.comparison(),
                row.target(), String.valueOf(row.pass()), String.valueOf(row.header()));
    }

    /** {@return the row a child JVM printed, or {@code null} if the line is not a row} */
    static Row parseRow(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 10 || !f[0].equals("ROW")) {
            return null;
        }
        return new Row(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8].equals("null") ? null : Boolean.valueOf(f[8]),
                Boolean.parseBoolean(f[9]));
    }

    private static void print(List<Row> rows) {
        int[] width = new int[8];
        List<String[]> cells = new ArrayList<>();
        List<Boolean> headers = new ArrayList<>();
        List<Row> all = new ArrayList<>();
        if (rows.isEmpty() || !rows.get(0).header()) {
            all.add(DEFAULT_HEADER);
        }
        all.addAll(rows);
        for (Row r : all) {
            cells.add(new String[] {r.metric(), r.direct(), r.naive(), r.crusher(), r.netfault(), r.comparison(), r.target(),
                r.verdict()});
            headers.add(r.header());
        }
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append('+').append("-".repeat(w + 2));
        }
        rule.append('+');
        for (int n = 0; n < cells.size(); n++) {
            StringBuilder s = new StringBuilder();
            String[] line = cells.get(n);
            for (int i = 0; i < line.length; i++) {
                String cell = line[i];
                boolean right = i >= 1 && i <= 5;
                s.append("| ").append(right ? pad(cell, width[i], true) : pad(cell, width[i], false)).append(' ');
            }
            if (headers.get(n)) {
                System.out.println(rule);
            }
            System.out.println(s.append('|'));
            if (headers.get(n)) {
                System.out.println(rule);
            }
        }
        System.out.println(rule);
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(width - s.length());
        return right ? space + s : s + space;
    }
}
