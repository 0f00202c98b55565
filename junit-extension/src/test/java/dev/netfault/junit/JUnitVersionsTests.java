package dev.netfault.junit;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.netfault.FaultListener;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.FixtureCondition;
import dev.netfault.junit.support.Kit;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * What JUnit 5.13 to 6.x may do around netfault's extension: not close stored {@code AutoCloseable}s
 * (a switch since 5.13), and stop a run early (cancellation and fail-fast, JUnit 6). Every listener
 * and agent rule of a test is released either way. The build runs these tests on the lowest and the
 * newest supported JUnit ({@code -Djunit.version=...}, see {@code .ci/run}).
 */
@DisplayName("JUnit 5.13 to 6.x: cleanup with store auto-close off, and in a cancelled run")
class JUnitVersionsTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** JUnit 6's cancellation token (in the Platform's engine API since 6.0); absent on 5.x. */
    private static final String CANCELLATION_TOKEN = "org.junit.platform.engine.CancellationToken";

    static volatile int targetPort;
    static volatile int listenerPort;
    static volatile Object cancellationToken;
    static final AtomicBoolean secondTestRan = new AtomicBoolean();

    @Test
    void releasesTheListenerAndTheRuleWhenJUnitDoesNotCloseStoredAutoCloseables() throws IOException {
        try (ServerSocket target = new ServerSocket(0, 50, LOOPBACK)) {
            target.setSoTimeout(10_000);
            targetPort = target.getLocalPort();

            EngineExecutionResults results = Kit.run(ListenerAndRuleFixture.class,
                    NetFaultExtension.STORE_AUTO_CLOSE + "=false");

            Kit.assertAllSucceeded(results, 1);
            assertReleased(target);
        }
    }

    @Test
    void releasesTheListenerAndTheRuleOfAFailedTestWhenTheRunIsCancelledAfterIt() throws Exception {
        Class<?> tokenType = cancellationTokenType();
        try (ServerSocket target = new ServerSocket(0, 50, LOOPBACK)) {
            target.setSoTimeout(10_000);
            targetPort = target.getLocalPort();
            secondTestRan.set(false);
            EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailFastFixture.class))
                    .configurationParameter(FixtureCondition.ENABLED, "true")
                    .configurationParameter(NetFaultExtension.STORE_AUTO_CLOSE, "false");
            if (tokenType != null) { // JUnit 6: the run is cancelled as the launcher's fail-fast mode does on a failure
                cancellationToken = tokenType.getMethod("create").invoke(null);
                EngineTestKit.Builder.class.getMethod("cancellationToken", tokenType).invoke(kit, cancellationToken);
            } else { // JUnit 5: no cancellation; the failed test is released all the same, and the next one runs
                cancellationToken = null;
            }

            EngineExecutionResults results = kit.execute();

            assertThat(Kit.outcomes(results, "failsAndStopsTheRun")).as(Kit.describe(results)).singleElement()
                    .satisfies(outcome -> assertThat(outcome.getThrowable().orElseThrow()).hasMessageContaining("the first failure"));
            if (tokenType != null) {
                results.testEvents().assertStatistics(stats -> stats.started(1).failed(1).skipped(1));
                assertThat(secondTestRan).as("the test after the cancellation ran").isFalse();
            } else {
                results.testEvents().assertStatistics(stats -> stats.started(2).failed(1).succeeded(1));
            }
            assertReleased(target);
        } finally {
            cancellationToken = null;
        }
    }

    /** The listener's port refuses connections (it is closed) and the target is reachable again (no rule left). */
    private static void assertReleased(ServerSocket target) throws IOException {
        try (Socket client = new Socket()) {
            assertThatThrownBy(() -> client.connect(new InetSocketAddress(LOOPBACK, listenerPort), 5_000))
                    .as("a connection to the test's listener after the test").isInstanceOf(ConnectException.class);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(LOOPBACK, targetPort), 5_000);
                try (Socket accepted = target.accept()) {
                    assertThat(accepted.getPort()).as("the refused target, after the test").isEqualTo(client.getLocalPort());
                }
            }
        });
    }

    private static Class<?> cancellationTokenType() {
        try {
            return Class.forName(CANCELLATION_TOKEN);
        } catch (ClassNotFoundException e) {
            assertThat(org.junit.jupiter.api.Test.class.getPackage().getImplementationVersion()).as("the JUnit Jupiter version")
                    .startsWith("5.");
            return null;
        }
    }

    /** A listener and a rule that reaches something, so that the test passes: both must be gone after it. */
    static void openAListenerAndARule(FaultListener listener, NetFault netfault) throws IOException {
        listenerPort = listener.port();
        netfault.refuse(LOOPBACK.getHostAddress() + ":" + targetPort);
        try (Socket client = new Socket()) {
            assertThatThrownBy(() -> client.connect(new InetSocketAddress(LOOPBACK, targetPort), 5_000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Fixture
    static class ListenerAndRuleFixture {

        @Test
        @Stall
        void opensAListenerAndARule(FaultListener listener, NetFault netfault) throws IOException {
            openAListenerAndARule(listener, netfault);
        }
    }

    @Fixture
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class FailFastFixture {

        @Test
        @Order(1)
        @Stall
        void failsAndStopsTheRun(FaultListener listener, NetFault netfault) throws Exception {
            openAListenerAndARule(listener, netfault);
            if (cancellationToken != null) {
                Class.forName(CANCELLATION_TOKEN).getMethod("cancel").invoke(cancellationToken);
            }
            fail("the first failure");
        }

        @Test
        @Order(2)
        void runsOnlyWithoutCancellation() {
            secondTestRan.set(true);
        }
    }
}
