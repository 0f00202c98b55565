package dev.netfault.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The latency benchmark again, in a JVM whose threads all run on CPU 0 ({@code taskset -c 0}).
 * On a small VM, waking a thread on an idle virtual CPU costs tens of microseconds, and whether the
 * client, the echo server and the relay share a CPU changes from run to run; on one CPU every hop
 * is a plain context switch, so the difference between the paths is the relay's own cost.
 */
final class PinnedLatencyBench {

    private static final String PINNED_PROPERTY = "netfault.bench.pinnedChild";

    /** {@return whether this JVM is the pinned child, whose latency rows carry the target} */
    static boolean isPinnedChild() {
        return Boolean.getBoolean(PINNED_PROPERTY);
    }

    List<Row> run() throws Exception {
        if (!tasksetWorks()) {
            return List.of(Row.info("1-byte round trip, pinned to CPU 0", "-", "-", "skipped: taskset not available"));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder("taskset", "-c", "0", java, "-D" + PINNED_PROPERTY + "=true",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), Main.ROWS, "latency")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Row> rows = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Row row = Main.parseRow(line);
                if (row != null) {
                    rows.add(row.withMetric(row.metric().replace("1-byte round trip", "same, pinned to CPU 0 (taskset -c 0),")));
                }
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || rows.isEmpty()) {
            process.destroyForcibly();
            throw new IllegalStateException("the pinned latency JVM failed (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")");
        }
        return rows;
    }

    static boolean tasksetWorks() {
        try {
            Process probe = new ProcessBuilder("taskset", "-c", "0", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
