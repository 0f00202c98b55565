package dev.netfault.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was while the benchmarks ran, and how much of that was this JVM: on a
 * shared machine, figures measured while other processes compete for the CPUs are worth less.
 */
final class MachineLoad {

    private final long[] startJiffies;
    private final long startProcessNanos;
    private final long startWall = System.nanoTime();
    private final String startLoad;

    MachineLoad() {
        this.startJiffies = jiffies();
        this.startProcessNanos = processCpu();
        this.startLoad = loadAverage();
    }

    /** {@return one line: the machine's busy share, this JVM's share, the rest, and the load average} */
    String describe() {
        long[] end = jiffies();
        if (startJiffies == null || end == null) {
            return "machine load unknown (no /proc/stat)";
        }
        double total = end[0] - startJiffies[0];
        double busy = total - (end[1] - startJiffies[1]);
        int cpus = Runtime.getRuntime().availableProcessors();
        double own = (processCpu() - startProcessNanos) / (double) ((System.nanoTime() - startWall) * cpus);
        double machine = total > 0 ? busy / total : 0;
        return String.format("CPU while running: machine %.0f%% busy, this JVM %.0f%%, child JVMs and other processes %.0f%%;"
                + " load average %s -> %s", 100 * machine, 100 * own, 100 * Math.max(0, machine - own), startLoad, loadAverage());
    }

    /** {@return {total, idle + iowait} jiffies over all CPUs, or {@code null}} */
    private static long[] jiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
