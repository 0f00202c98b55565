package dev.netfault.examples.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.netfault.FaultListener;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.SlowAccept;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;

/**
 * A client without timeouts would hang for minutes under these faults. netfault's hang guard
 * (configuration parameter {@value NetFaultConfig#HANG_TIMEOUT_PROPERTY_NAME}; 2 s here, 5 s in
 * these examples' junit-platform.properties) ends such a test early and fails it with a message that
 * says which timeout is missing.
 *
 * <p>To show that failure while keeping the examples green, the naive client's tests live in
 * {@link NaiveClientFixture}, which this class runs with the JUnit Platform Test Kit and whose
 * failures it asserts.
 */
@Order(2)
@DisplayName("NaiveInventoryClient: no timeouts, caught by netfault's hang guard")
class NaiveInventoryClientTests {

    // What happened to each of the fixture's tests, by method name.
    private static final Map<String, Throwable> failures = new HashMap<>();
    private static final Map<String, Duration> durations = new HashMap<>();

    @BeforeAll
    static void runTheNaiveClientsTests() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME, "2s")
                .selectors(selectClass(NaiveClientFixture.class))
                .execute();
        results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
        Map<String, Instant> started = new HashMap<>();
        results.testEvents().started().stream().forEach(event -> started.put(name(event), event.getTimestamp()));
        results.testEvents().finished().stream().forEach(event -> {
            durations.put(name(event), Duration.between(started.get(name(event)), event.getTimestamp()));
            event.getRequiredPayload(TestExecutionResult.class).getThrowable().ifPresent(t -> failures.put(name(event), t));
        });
    }

    @Test
    void failsInSecondsWhenTheAcceptQueueIsFullInsteadOfWaitingMinutesForTheKernel(TestReporter story) {
        String test = "asksForTheStockWhileTheAcceptQueueIsFull";
        Throwable failure = failures.get(test);

        assertThat(failure).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("netfault: " + test + "() was still running 2 s after it started, under its faults")
                .hasMessageContaining("give the client a connectTimeout (HttpClient.Builder.connectTimeout) and the request a timeout");
        // The guard closed the listener, so the client's next SYN retry was refused: without the
        // guard, HttpClient would have waited for the kernel's SYN retries, about 130 s.
        assertThat(failure.getCause()).isInstanceOf(ConnectException.class);
        assertThat(durations.get(test)).isLessThan(Duration.ofSeconds(15));
        story.publishEntry("the naive client's test failed after " + durations.get(test).toMillis() + " ms instead of hanging for"
                + " about 130 s, with:\n" + headline(failure));
    }

    @Test
    void failsInSecondsWhenTheServiceNeverAnswersInsteadOfWaitingForever(TestReporter story) {
        String test = "asksForTheStockWhileTheServiceNeverAnswers";
        Throwable failure = failures.get(test);

        assertThat(failure).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("netfault: " + test + "() was still running 2 s after it started, under its faults")
                .hasMessageContaining("give the client a connectTimeout (HttpClient.Builder.connectTimeout) and the request a timeout");
        // The guard reset the connection the client was waiting on.
        assertThat(failure.getCause()).isInstanceOf(IOException.class);
        assertThat(durations.get(test)).isLessThan(Duration.ofSeconds(15));
        story.publishEntry("the naive client's test failed after " + durations.get(test).toMillis() + " ms instead of hanging"
                + " forever, with:\n" + headline(failure));
    }

    /** The failure message without the stack of where the test was blocked. */
    private static String headline(Throwable failure) {
        String message = failure.getMessage();
        int stack = message.indexOf("\n\tat ");
        return stack < 0 ? message : message.substring(0, stack) + " ...";
    }

    private static String name(Event event) {
        return ((MethodSource) event.getTestDescriptor().getSource().orElseThrow()).getMethodName();
    }

    /**
     * The naive client under faults. Run only by {@link NaiveInventoryClientTests} through the Test
     * Kit: a static nested class is not run by Surefire (it skips nested classes) nor discovered
     * from its enclosing class by Jupiter (only {@code @Nested} inner classes are).
     */
    static class NaiveClientFixture {

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void asksForTheStockWhileTheAcceptQueueIsFull(FaultListener netfault) throws Exception {
            new NaiveInventoryClient(netfault.uri("http")).available("ABC-1");
        }

        @Test
        @LeakedServerSockets
        void asksForTheStockWhileTheServiceNeverAnswers(FaultListener netfault) throws Exception {
            new NaiveInventoryClient(netfault.uri("http")).available("ABC-1");
        }
    }
}
