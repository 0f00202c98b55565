package dev.netfault.benchmarks;

/**
 * One line of the result table: the direct loopback path, the two peer relays (the naive
 * thread-per-connection relay and NetCrusher) and netfault, then netfault's ratio or delta to direct,
 * the target and whether it is met. {@code pass} is {@code null} for figures that have no target.
 * A {@linkplain #header header} row relabels the four figure columns for the rows below it.
 */
record Row(String metric, String direct, String naive, String crusher, String netfault, String comparison, String target,
        Boolean pass, boolean header) {

    /** A row with figures for direct and netfault only. */
    Row(String metric, String direct, String netfault, String comparison, String target, Boolean pass) {
        this(metric, direct, "-", "-", netfault, comparison, target, pass, false);
    }

    /** A row with all four paths. */
    static Row peers(String metric, String direct, String naive, String crusher, String netfault, String comparison,
            String target, Boolean pass) {
        return new Row(metric, direct, naive, crusher, netfault, comparison, target, pass, false);
    }

    static Row info(String metric, String direct, String netfault, String comparison) {
        return new Row(metric, direct, netfault, comparison, "-", null);
    }

    static Row peersInfo(String metric, String direct, String naive, String crusher, String netfault, String comparison) {
        return peers(metric, direct, naive, crusher, netfault, comparison, "-", null);
    }

    /** A sub-heading: the names of the four figure columns for the rows that follow. */
    static Row header(String metric, String direct, String naive, String crusher, String netfault, String comparison) {
        return new Row(metric, direct, naive, crusher, netfault, comparison, "target", null, true);
    }

    Row withMetric(String newMetric) {
        return new Row(newMetric, direct, naive, crusher, netfault, comparison, target, pass, header);
    }

    String verdict() {
        return header ? "result" : pass == null ? "info" : pass ? "PASS" : "FAIL";
    }
}
