package dev.netfault.benchmarks;

/** One line of the result table. {@code pass} is {@code null} for figures that have no target. */
record Row(String metric, String direct, String netfault, String comparison, String target, Boolean pass) {

    static Row info(String metric, String direct, String netfault, String comparison) {
        return new Row(metric, direct, netfault, comparison, "-", null);
    }

    String verdict() {
        return pass == null ? "info" : pass ? "PASS" : "FAIL";
    }
}
