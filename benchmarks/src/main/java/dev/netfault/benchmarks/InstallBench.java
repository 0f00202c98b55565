package dev.netfault.benchmarks;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
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
 * the test's store. The timed runs follow {@value #WARM_UP_RUNS} warm-up runs of each; the first
 * run of each, before any warm-up, is reported too. Also the per-test cost of the servers a user
 * might start around each test instead: start and close of OkHttp's MockWebServer, of WireMock and of a netfault listener with one
 * fault, next to a bare {@code ServerSocketChannel} bind and close.
 */
final class InstallBench {

    /** Launcher runs of each fixture before the timed ones. */
    private static final int WARM_UP_RUNS = 10;

    private final int rounds;

    InstallBench(int rounds) {
        this.rounds = rounds;
    }

    List<Row> run() throws Exception {
        Launcher launcher = LauncherFactory.create();
        // The first launcher run of each is reported on its own (the JIT has not compiled the
        // extension's path yet); then warm-up runs, as every other benchmark here gets.
        Timings firstPlain = new Timings();
        Timings firstAnnotated = new Timings();
        execute(launcher, InstallFixtures.Plain.class, firstPlain);
        execute(launcher, InstallFixtures.Annotated.class, firstAnnotated);
        Timings warm = new Timings();
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            execute(launcher, InstallFixtures.Plain.class, warm);
            execute(launcher, InstallFixtures.Annotated.class, warm);
        }
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
        List<String> failures = Stream.of(annotated, plain, warm, firstPlain, firstAnnotated)
                .flatMap(t -> t.failures.stream()).toList();
        boolean allPassed = failures.isEmpty();
        List<Row> rows = new ArrayList<>();
        rows.add(Row.header("per-test cost", "bare / plain", "MockWebServer", "WireMock", "netfault", "netfault - bare"));
        rows.add(new Row("@Reset install+remove per test, p50 (" + a.length + " tests each, JUnit Launcher; plain test vs @Reset)",
                Stats.millis(Stats.medianNanos(p)), Stats.millis(Stats.medianNanos(a)),
                String.format("+%.2f ms", added / 1e6), "<= +1 ms", added <= 1_000_000 && allPassed));
        rows.add(Row.info("  same, p99", Stats.millis(Stats.percentile(p, 99)), Stats.millis(Stats.percentile(a, 99)),
                String.format("+%.2f ms", (Stats.percentile(a, 99) - Stats.percentile(p, 99)) / 1e6)));
        double firstP = Stats.medianNanos(firstPlain.array());
        double firstA = Stats.medianNanos(firstAnnotated.array());
        rows.add(Row.info("  same, the first " + InstallFixtures.REPETITIONS + " tests of each in this JVM (before warm-up), p50",
                Stats.millis(firstP), Stats.millis(firstA), String.format("+%.2f ms", (firstA - firstP) / 1e6)));
        if (!allPassed) {
            rows.add(Row.info("  fixture tests failed", "", "", failures.size() + ", first: " + failures.get(0)));
        }
        rows.addAll(perTestServers(rounds * InstallFixtures.REPETITIONS));
        return rows;
    }

    /**
     * Start + close of a per-test server, in rotating order within each iteration: a bare
     * ServerSocketChannel bind + close (the floor), OkHttp's MockWebServer, WireMock (dynamic port,
     * loopback) and a netfault listener with one fault. Every one gets the same warm-up and the same
     * number of timed iterations.
     */
    private static List<Row> perTestServers(int count) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Callable<Long>> servers = List.of(() -> bare(loopback), InstallBench::mockWebServer, InstallBench::wireMock,
                InstallBench::listener);
        int n = servers.size();
        for (int i = 0; i < 100; i++) { // warm-up
            for (Callable<Long> server : servers) {
                server.call();
            }
        }
        long[][] samples = new long[n][count];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < n; k++) {
                int s = (i + k) % n;
                samples[s][i] = servers.get(s).call();
            }
        }
        double[] p50 = new double[n];
        long[] p99 = new long[n];
        for (int s = 0; s < n; s++) {
            p50[s] = Stats.medianNanos(samples[s]);
            p99[s] = Stats.percentile(samples[s], 99);
        }
        return List.of(
                Row.peers("server start + close, p50 (" + count + " each, after warm-up)", Stats.millis(p50[0]),
                        Stats.millis(p50[1]), Stats.millis(p50[2]), Stats.millis(p50[3]),
                        String.format("+%.2f ms", (p50[3] - p50[0]) / 1e6), "<= 1 ms", p50[3] <= 1_000_000),
                Row.peersInfo("  same, p99", Stats.millis(p99[0]), Stats.millis(p99[1]), Stats.millis(p99[2]),
                        Stats.millis(p99[3]), String.format("+%.2f ms", (p99[3] - p99[0]) / 1e6)));
    }

    private static long bare(InetSocketAddress loopback) throws Exception {
        long start = System.nanoTime();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(loopback);
        }
        return System.nanoTime() - start;
    }

    private static long mockWebServer() throws Exception {
        long start = System.nanoTime();
        try (MockWebServer server = new MockWebServer()) {
            server.start(InetAddress.getLoopbackAddress(), 0);
            server.getPort();
        }
        return System.nanoTime() - start;
    }

    private static long wireMock() {
        long start = System.nanoTime();
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        try {
            server.port();
        } finally {
            server.stop();
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
