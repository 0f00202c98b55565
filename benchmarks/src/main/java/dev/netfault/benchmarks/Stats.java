package dev.netfault.benchmarks;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians over measured samples. */
final class Stats {

    private Stats() {
    }

    /** {@return the {@code p}-th percentile (0..100) of {@code samples}, nearest rank} */
    static long percentile(long[] samples, double p) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double medianNanos(long[] samples) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    static String micros(double nanos) {
        return String.format("%.1f us", nanos / 1_000.0);
    }

    static String millis(double nanos) {
        return String.format("%.2f ms", nanos / 1_000_000.0);
    }
}
