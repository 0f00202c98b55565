package dev.netfault.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Installing and removing one annotation's faults around a test. Side by side in one run: the
 * same empty {@code @RepeatedTest} with and without {@code @Reset}, through the JUnit Platform
 * Launcher in alternating runs; a test's time runs from the launcher's {@code executionStarted} to
 * {@code executionFinished}, which brackets the extension's {@code beforeEach} and the closing of
 * the test's store. Also the core API alone: start and close of a listener with one fault, next to
 * a bare {@code ServerSocketChannel} bind and close.
 */
final class InstallBench {

    private final int rounds;

    InstallBench(int rounds) {
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        Launcher launcher = LauncherFactory.create();
        Timings warm = new Timings();
        execute(launcher, InstallFixtures.Plain.class, warm);
        execute(launcher, InstallFixtures.Annotated.class, warm);
        Timings plain = new Timings();
        Timings annotated = new Timings();
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                execute(launcher, InstallFixtures.Plain.class, plain);
                execute(launcher, InstallFixtures.Annotated.class, annotated);
            } else {
                execute(launcher, InstallFixtures.Annotated.class, annotated);
                execute(launcher, InstallFixtures.Plain.class, plain);
            }
        }
        long[] p = plain.array();
        long[] a = annotated.array();
        double added = Stats.medianNanos(a) - Stats.medianNanos(p);
        boolean allPassed = plain.failures.isEmpty() && annotated.failures.isEmpty() && warm.failures.isEmpty();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("@Reset install+remove per test, p50 (" + a.length + " tests each, Launcher)",
                Stats.millis(Stats.medianNanos(p)), Stats.millis(Stats.medianNanos(a)),
                String.format("+%.2f ms", added / 1e6), "<= +2 ms", added <= 2_000_000 && allPassed));
        rows.add(Row.info("  same, p99", Stats.millis(Stats.percentile(p, 99)), Stats.millis(Stats.percentile(a, 99)),
                String.format("+%.2f ms", (Stats.percentile(a, 99) - Stats.percentile(p, 99)) / 1e6)));
        if (!allPassed) {
            List<String> failures = new ArrayList<>(annotated.failures);
            failures.addAll(plain.failures);
            failures.addAll(warm.failures);
            rows.add(Row.info("  fixture tests failed", "", "", failures.size() + ", first: " + failures.get(0)));
        }
        rows.addAll(coreApi(rounds * InstallFixtures.REPETITIONS));
        return rows;
    }

    /** Listener start + close with one fault, against a bare ServerSocketChannel bind + close. */
    private static List<Row> coreApi(int count) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (int i = 0; i < 200; i++) { // warm-up
            bare(loopback);
            listener();
        }
        long[] bare = new long[count];
        long[] listener = new long[count];
        for (int i = 0; i < count; i++) {
            bare[i] = bare(loopback);
            listener[i] = listener();
        }
        double b = Stats.medianNanos(bare);
        double l = Stats.medianNanos(listener);
        return List.of(Row.info("  core API: start+close p50 (ServerSocketChannel vs FaultListener)",
                Stats.millis(b), Stats.millis(l), String.format("+%.2f ms", (l - b) / 1e6)));
    }

    private static long bare(InetSocketAddress loopback) throws Exception {
        long start = System.nanoTime();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(loopback);
        }
        return System.nanoTime() - start;
    }

    private static long listener() {
        long start = System.nanoTime();
        try (FaultListener listener = FaultListener.standalone().fault(Fault.reset()).name("bench-install").start()) {
            listener.port();
        }
        return System.nanoTime() - start;
    }

    private static void execute(Launcher launcher, Class<?> fixture, Timings timings) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .build();
        launcher.execute(request, timings);
    }

    /** Records how long each test took, from started to finished. */
    private static final class Timings implements TestExecutionListener {
        private final Map<String, Long> started = new HashMap<>();
        private final List<Long> durations = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        @Override
        public void executionStarted(TestIdentifier test) {
            if (test.isTest()) {
                started.put(test.getUniqueId(), System.nanoTime());
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
                durations.add(System.nanoTime() - started.remove(test.getUniqueId()));
            }
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                failures.add(test.getDisplayName() + ": " + result.getThrowable().map(Throwable::toString).orElse("failed"));
            }
        }

        long[] array() {
            return durations.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
