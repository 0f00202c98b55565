package dev.netfault.assertj;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.time.Duration;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@DisplayName("NetFaultSoftAssertions")
class SoftAssertionsTests {

    private FaultListener listener;

    /** A listener that reset one connection on accept, its RST recorded. */
    @BeforeEach
    void resetOneConnection() throws IOException {
        listener = FaultListener.standalone().fault(Fault.reset()).start();
        assertThat(Sockets.readUntilEnd(Sockets.connect(listener.address())).end()).isEqualTo("SocketException: Connection reset");
        await().until(() -> listener.journal().connection(1).map(c -> c.listenerClosure() == Closure.RST).orElse(false));
    }

    @AfterEach
    void close() {
        listener.close();
    }

    @Test
    void collectsEveryFailureNetfaultsAndAssertJsOwn() {
        NetFaultSoftAssertions softly = new NetFaultSoftAssertions();

        softly.assertThatNetworkFailure(RealFailures.readTimeout()).isConnectionReset();
        softly.assertThat(listener.journal()).hasAccepted(3).hasFaultsFired(1);
        softly.assertThat(listener.journal()).connection(1).closedByListenerWith(Closure.FIN).sentToClient(7);
        softly.assertThat(listener.journal()).connection(5).sentToClient(1);
        softly.assertThat("plain AssertJ").isEqualTo("still collected");

        assertThat(softly.errorsCollected()).extracting(Throwable::getMessage).satisfiesExactly(
                m -> assertThat(m).contains("Expecting a connection reset (CONNECTION_RESET), but the classifier saw READ_TIMEOUT"),
                m -> assertThat(m).contains("Expecting the listener to have accepted 3 connection(s), but it accepted 1"),
                m -> assertThat(m).contains("Expecting the listener to have closed with FIN, but it was RST"),
                m -> assertThat(m).contains("Expecting 7 bytes sent to the client, but 0 were"),
                m -> assertThat(m).contains("Expecting connection #5, but the listener accepted 1 connection(s)"),
                m -> assertThat(m).contains("still collected"));
        assertThatThrownBy(softly::assertAll).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Multiple Failures (6 failures)");
    }

    @Test
    void passesWhenEveryAssertionHolds() {
        NetFaultSoftAssertions softly = new NetFaultSoftAssertions();

        softly.assertThatNetworkFailure(RealFailures.readTimeout()).isReadTimeout().isNetworkFailure();
        softly.assertThat(listener.journal()).hasAccepted(1).hasFaultsFired(1).connection(1).closedByListenerWith(Closure.RST);
        softly.assertThat(listener.journal().connection(1).orElseThrow()).sentToClient(0);

        assertThat(softly.errorsCollected()).isEmpty();
        softly.assertAll();
    }

    @Test
    void asInstanceOfNetworkFailureIsSoftToo() {
        NetFaultSoftAssertions softly = new NetFaultSoftAssertions();

        softly.assertThat(RealFailures.readTimeout()).asInstanceOf(NetFaultAssertions.NETWORK_FAILURE).isConnectionReset();
        softly.assertThat(RealFailures.readTimeout()).asInstanceOf(NetFaultAssertions.NETWORK_FAILURE).isReadTimeout();

        assertThat(softly.errorsCollected()).singleElement().extracting(Throwable::getMessage).asString()
                .contains("Expecting a connection reset (CONNECTION_RESET), but the classifier saw READ_TIMEOUT");
    }

    @Nested
    @DisplayName("inside Awaitility's untilAsserted")
    class WithAwaitility {

        @Test
        void aFreshOnePerAttemptPassesOnceEverythingHolds() throws IOException {
            Sockets.connect(listener.address()).close();

            await().untilAsserted(() -> {
                NetFaultSoftAssertions softly = new NetFaultSoftAssertions();
                softly.assertThat(listener.journal()).hasAccepted(2).hasFaultsFired(2);
                softly.assertThat(listener.journal()).connection(2).closedByListenerWith(Closure.RST);
                softly.assertAll();
            });
        }

        @Test
        void itsCollectedFailuresAreWhatAwaitilityRetriesOnAndReports() {
            assertThatThrownBy(() -> Awaitility.await().atMost(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> {
                        NetFaultSoftAssertions softly = new NetFaultSoftAssertions();
                        softly.assertThat(listener.journal()).hasAccepted(2);
                        softly.assertThat(listener.journal()).connection(1).closedByListenerWith(Closure.FIN);
                        softly.assertAll();
                    }))
                    .isInstanceOf(ConditionTimeoutException.class)
                    .hasMessageContaining("Expecting the listener to have accepted 2 connection(s), but it accepted 1")
                    .hasMessageContaining("Expecting the listener to have closed with FIN, but it was RST");
        }
    }

    @Nested
    @DisplayName("injected by AssertJ's SoftAssertionsExtension")
    @ExtendWith(SoftAssertionsExtension.class)
    class Injected {

        @InjectSoftAssertions
        private NetFaultSoftAssertions softly;

        @Test
        void isANetFaultSoftAssertionsThatCollects() {
            softly.assertThat(listener.journal()).hasAccepted(1).connection(1).closedByListenerWith(Closure.RST);
            softly.assertThatNetworkFailure(RealFailures.connectionReset()).isConnectionReset();

            assertThat(softly.errorsCollected()).isEmpty();
            assertThat(softly.wasSuccess()).isTrue();
        }
    }
}
