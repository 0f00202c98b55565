package dev.netfault.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs netfault's benchmarks, each side by side with the direct loopback path in one run, and
 * prints one table: metric, direct, netfault, ratio or delta, target, result.
 *
 * <p>From the repository root: {@code mvn -q -pl benchmarks -am package -DskipTests -Pbench}.
 * Arguments pick benchmarks by name ({@code throughput latency latency-pinned concurrency idle install agent-overhead}); none
 * runs them all. Exit status 0 whether or not targets are met (the table says which), 1 if a
 * benchmark could not run.
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
        benchmarks.put("throughput", () -> new ThroughputBench(12, 500).run());
        benchmarks.put("latency", () -> new LatencyBench(20, 1_000).run());
        benchmarks.put("latency-pinned", () -> new PinnedLatencyBench().run());
        benchmarks.put("concurrency", () -> new ConcurrencyBench(1_000, 64 * 1024, 3).run());
        benchmarks.put("idle", () -> new IdleBench(10_000).run());
        benchmarks.put("install", () -> new InstallBench(5).run());
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
        List<String> chosen = args.length == 0 ? List.copyOf(benchmarks.keySet()) : Arrays.asList(args);
        for (String name : chosen) {
            if (!benchmarks.containsKey(name)) {
                System.err.println("unknown benchmark '" + name + "'; choose from " + benchmarks.keySet());
                System.exit(1);
            }
        }

        System.out.printf("netfault benchmarks: JDK %s (%s), %d CPUs, %s %s%n", Runtime.version(),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"));
        System.out.println("Each figure is measured next to the direct loopback path in the same run, interleaved.");
        long start = System.nanoTime();
        MachineLoad load = new MachineLoad();
        List<Row> rows = new ArrayList<>();
        boolean broken = false;
        for (String name : chosen) {
            long t = System.nanoTime();
            System.out.print("  running " + name + " ...");
            System.out.flush();
            try {
                rows.addAll(benchmarks.get(name).call());
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

    private static String formatRow(Row row) {
        return String.join("\t", "ROW", row.metric(), row.direct(), row.netfault(), row.comparison(), row.target(),
                String.valueOf(row.pass()));
    }

    /** {@return the row a child JVM printed, or {@code null} if the line is not a row} */
    static Row parseRow(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 7 || !f[0].equals("ROW")) {
            return null;
        }
        return new Row(f[1], f[2], f[3], f[4], f[5], f[6].equals("null") ? null : Boolean.valueOf(f[6]));
    }

    private static void print(List<Row> rows) {
        String[] header = {"metric", "direct", "netfault", "ratio / delta", "target", "result"};
        int[] width = new int[header.length];
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Row r : rows) {
            cells.add(new String[] {r.metric(), r.direct(), r.netfault(), r.comparison(), r.target(), r.verdict()});
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
        System.out.println(rule);
        for (int n = 0; n < cells.size(); n++) {
            StringBuilder s = new StringBuilder();
            String[] line = cells.get(n);
            for (int i = 0; i < line.length; i++) {
                String cell = line[i];
                boolean right = i == 1 || i == 2 || i == 3;
                s.append("| ").append(right ? pad(cell, width[i], true) : pad(cell, width[i], false)).append(' ');
            }
            System.out.println(s.append('|'));
            if (n == 0) {
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
