package dev.netfault.junit.internal.report;

/**
 * Carries a failed test's fault timeline as a suppressed exception of the test's own failure, so
 * the failure keeps its message first. Its message is the timeline; it has no stack trace of its own.
 */
public final class NetFaultTimeline extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetFaultTimeline(String timeline) {
        super(timeline, null, false, false);
    }
}
