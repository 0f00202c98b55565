package dev.netfault.examples.support;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the examples as a tree: each class and {@code @Nested} group, each test with its outcome,
 * and under it what the test told its {@code TestReporter} (what happened, in one line).
 * Registered through {@code META-INF/services}; ASCII only, so any console shows it.
 */
public class StoryListener implements TestExecutionListener {

    private final PrintStream out = System.out;
    private final Map<String, Long> started = new HashMap<>();
    private final Map<String, List<String>> stories = new HashMap<>();
    private TestPlan plan;
    private long planStarted;
    private int passed;
    private int failed;
    private int skipped;

    @Override
    public synchronized void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        planStarted = System.nanoTime();
        out.println();
    }

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
        started.put(test.getUniqueId(), System.nanoTime());
        if (test.isContainer() && depth(test) >= 0) {
            out.println(indent(test) + test.getDisplayName());
        }
    }

    @Override
    public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        List<String> story = stories.computeIfAbsent(test.getUniqueId(), id -> new ArrayList<>());
        // netfault's own entries (its one-line summary) are named, so they read apart from the example's story.
        entry.getKeyValuePairs().forEach((key, value) -> story.add(key.startsWith("netfault") ? key + ": " + value : value));
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest()) {
            skipped++;
            out.println(indent(test) + "[skipped] " + test.getDisplayName() + ": " + reason);
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        long millis = Duration.ofNanos(System.nanoTime() - started.getOrDefault(test.getUniqueId(), System.nanoTime())).toMillis();
        List<String> story = stories.getOrDefault(test.getUniqueId(), List.of());
        String pad = indent(test) + "       ";
        if (test.isTest()) {
            boolean ok = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
            if (ok) {
                passed++;
            } else {
                failed++;
            }
            out.println(indent(test) + (ok ? "[ok]   " : "[FAIL] ") + test.getDisplayName() + " (" + millis + " ms)");
            story.forEach(line -> printIndented(pad + "| ", line));
        }
        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            if (test.isContainer()) {
                failed++;
                out.println(indent(test) + "[FAIL] " + test.getDisplayName());
            }
            result.getThrowable().ifPresent(t -> printIndented(pad + "! ", firstLines(t.toString(), 8)));
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        long millis = Duration.ofNanos(System.nanoTime() - planStarted).toMillis();
        out.printf("%n%d examples: %d passed, %d failed, %d skipped (%.1f s)%n%n",
                passed + failed + skipped, passed, failed, skipped, millis / 1000.0);
    }

    private void printIndented(String prefix, String text) {
        for (String line : text.split("\\R")) {
            out.println(prefix + line);
        }
    }

    private static String firstLines(String text, int count) {
        String[] lines = text.split("\\R", count + 1);
        return lines.length <= count ? text : String.join("\n", List.of(lines).subList(0, count)) + "\n...";
    }

    private int depth(TestIdentifier test) {
        int depth = 0;
        for (TestIdentifier t = test; t.getParentId().isPresent(); t = plan.getTestIdentifier(t.getParentIdObject().get())) {
            depth++;
        }
        return depth - 1; // the engine is depth 0, so classes are at 0
    }

    private String indent(TestIdentifier test) {
        return "  ".repeat(Math.max(0, depth(test)));
    }
}
