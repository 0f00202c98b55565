package dev.netfault.assertj;

import static dev.netfault.assertj.NetFaultAssertions.NETWORK_FAILURE;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static dev.netfault.assertj.NetFaultAssertions.networkFailure;
import static dev.netfault.assertj.NetFaultAssertions.thenNetworkFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.NetworkFailure;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("NetworkFailureAssert")
class NetworkFailureAssertTests {

    /** One real exception per failure, caused by netfault on loopback. */
    private static final Map<NetworkFailure, Throwable> REAL = new EnumMap<>(NetworkFailure.class);

    @BeforeAll
    static void causeEachFailureOnce() {
        REAL.put(NetworkFailure.CONNECTION_RESET, RealFailures.connectionReset());
        REAL.put(NetworkFailure.CONNECT_TIMEOUT, RealFailures.connectTimeout());
        REAL.put(NetworkFailure.READ_TIMEOUT, RealFailures.readTimeout());
        REAL.put(NetworkFailure.CONNECTION_REFUSED, RealFailures.connectionRefused());
        REAL.put(NetworkFailure.UNKNOWN_HOST, RealFailures.unknownHost());
        REAL.put(NetworkFailure.CONNECTION_TIMED_OUT, RealFailures.connectionTimedOut());
        REAL.put(NetworkFailure.TRUNCATED, RealFailures.truncated());
        REAL.put(NetworkFailure.BROKEN_PIPE, RealFailures.brokenPipe());
        REAL.put(NetworkFailure.NONE, new IllegalStateException("pool exhausted"));
    }

    private static Consumer<NetworkFailureAssert> assertionFor(NetworkFailure failure) {
        return switch (failure) {
            case CONNECTION_RESET -> NetworkFailureAssert::isConnectionReset;
            case CONNECT_TIMEOUT -> NetworkFailureAssert::isConnectTimeout;
            case READ_TIMEOUT -> NetworkFailureAssert::isReadTimeout;
            case CONNECTION_REFUSED -> NetworkFailureAssert::isConnectionRefused;
            case UNKNOWN_HOST -> NetworkFailureAssert::isUnknownHost;
            case CONNECTION_TIMED_OUT -> NetworkFailureAssert::isConnectionTimedOut;
            case TRUNCATED -> NetworkFailureAssert::isTruncated;
            case BROKEN_PIPE -> NetworkFailureAssert::isBrokenPipe;
            case NONE -> NetworkFailureAssert::isNotANetworkFailure;
        };
    }

    @ParameterizedTest
    @EnumSource(NetworkFailure.class)
    void eachAssertionPassesOnTheRealFailureItNames(NetworkFailure failure) {
        NetworkFailureAssert assertion = assertThatNetworkFailure(REAL.get(failure));
        assertionFor(failure).accept(assertion);
        assertThat(assertion.classification().failure()).isEqualTo(failure);
    }

    @ParameterizedTest
    @EnumSource(value = NetworkFailure.class, mode = EnumSource.Mode.EXCLUDE, names = "NONE")
    void eachAssertionFailsOnEveryOtherRealFailureSayingWhatTheClassifierSaw(NetworkFailure failure) {
        for (NetworkFailure other : NetworkFailure.values()) {
            if (other == failure) {
                continue;
            }
            Throwable thrown = REAL.get(other);
            assertThatThrownBy(() -> assertionFor(failure).accept(assertThatNetworkFailure(thrown)))
                    .as("%s asserted on %s", failure, other)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expecting " + NetworkFailureAssert.describe(failure))
                    .hasMessageContaining("but the classifier saw " + other)
                    .hasMessageContaining(thrown.getClass().getName());
        }
    }

    @Test
    void aReadTimeoutAssertedAsAResetShowsTheWholeChain() {
        Throwable wrapped = new UncheckedIOException("GET /orders failed", (IOException) REAL.get(NetworkFailure.READ_TIMEOUT));

        assertThatThrownBy(() -> assertThatNetworkFailure(wrapped).isConnectionReset())
                .hasMessageContaining("Expecting a connection reset (CONNECTION_RESET), but the classifier saw READ_TIMEOUT:")
                .hasMessageContaining("java.io.UncheckedIOException: GET /orders failed")
                .hasMessageContaining("java.net.SocketTimeoutException: Read timed out");
    }

    @Test
    void findsTheFailureInACauseOrASuppressedException() {
        Throwable reset = REAL.get(NetworkFailure.CONNECTION_RESET);
        IllegalStateException withSuppressed = new IllegalStateException("retries exhausted");
        withSuppressed.addSuppressed(reset);

        assertThatNetworkFailure(new RuntimeException("call failed", reset)).isConnectionReset().isNetworkFailure();
        assertThatNetworkFailure(withSuppressed).isConnectionReset();
    }

    @Nested
    @DisplayName("isOneOf, for clients that race between two outcomes")
    class IsOneOf {

        @Test
        void passesWhenTheFailureIsAnyOfThem() {
            assertThatNetworkFailure(REAL.get(NetworkFailure.TRUNCATED))
                    .isOneOf(NetworkFailure.CONNECTION_RESET, NetworkFailure.TRUNCATED);
        }

        @Test
        void failsNamingThemAll() {
            assertThatThrownBy(() -> assertThatNetworkFailure(REAL.get(NetworkFailure.READ_TIMEOUT))
                    .isOneOf(NetworkFailure.CONNECTION_RESET, NetworkFailure.TRUNCATED))
                    .hasMessageContaining("Expecting one of [a connection reset (CONNECTION_RESET), a truncated stream (TRUNCATED)],"
                            + " but the classifier saw READ_TIMEOUT")
                    .hasMessageContaining("Read timed out");
        }

        @Test
        void needsAtLeastOne() {
            assertThatIllegalArgumentException().isThrownBy(() -> assertThatNetworkFailure(REAL.get(NetworkFailure.READ_TIMEOUT)).isOneOf())
                    .withMessage("isOneOf: name at least one NetworkFailure");
        }
    }

    @Nested
    @DisplayName("any network failure, or none")
    class AnyOrNone {

        @Test
        void isNetworkFailurePassesOnEveryRealFailure() {
            REAL.forEach((failure, thrown) -> {
                if (failure != NetworkFailure.NONE) {
                    assertThatNetworkFailure(thrown).isNetworkFailure();
                }
            });
        }

        @Test
        void isNetworkFailureFailsOnAnApplicationErrorAndOnNothingThrown() {
            assertThatThrownBy(() -> assertThatNetworkFailure(new IllegalStateException("pool exhausted")).isNetworkFailure())
                    .hasMessageContaining("Expecting a network failure, but the classifier saw none:")
                    .hasMessageContaining("java.lang.IllegalStateException: pool exhausted");
            assertThatThrownBy(() -> assertThatNetworkFailure(null).isNetworkFailure())
                    .hasMessageContaining("Expecting a network failure, but nothing was thrown");
        }

        @Test
        void isNotANetworkFailurePassesWhenNothingWasThrownAndFailsOnAReset() {
            assertThatNetworkFailure(catchThrowable(() -> { })).isNotANetworkFailure();
            assertThatThrownBy(() -> assertThatNetworkFailure(REAL.get(NetworkFailure.CONNECTION_RESET)).isNotANetworkFailure())
                    .hasMessageContaining("Expecting no network failure, but the classifier saw CONNECTION_RESET:")
                    .hasMessageContaining("Connection reset");
        }

        @Test
        void aSpecificAssertionFailsWhenNothingWasThrown() {
            assertThatThrownBy(() -> thenNetworkFailure(null).isConnectionReset())
                    .hasMessageContaining("Expecting a connection reset (CONNECTION_RESET), but nothing was thrown");
        }
    }

    @Nested
    @DisplayName("with assertThatThrownBy")
    class WithAssertThatThrownBy {

        @Test
        void asInstanceOfNetworkFailure() {
            Throwable reset = REAL.get(NetworkFailure.CONNECTION_RESET);

            assertThatThrownBy(() -> { throw reset; }).asInstanceOf(NETWORK_FAILURE).isConnectionReset();
            assertThatThrownBy(() -> assertThatThrownBy(() -> { throw reset; }).asInstanceOf(NETWORK_FAILURE).isReadTimeout())
                    .hasMessageContaining("Expecting a read timeout (READ_TIMEOUT), but the classifier saw CONNECTION_RESET");
        }

        @Test
        void isNetworkFailureCondition() {
            Throwable refused = REAL.get(NetworkFailure.CONNECTION_REFUSED);

            assertThatThrownBy(() -> { throw refused; }).is(networkFailure(NetworkFailure.CONNECTION_REFUSED));
            assertThatThrownBy(() -> { throw refused; }).satisfies(networkFailure(NetworkFailure.CONNECTION_REFUSED, NetworkFailure.UNKNOWN_HOST));
            assertThatThrownBy(() -> assertThatThrownBy(() -> { throw refused; }).is(networkFailure(NetworkFailure.CONNECTION_RESET)))
                    .hasMessageContaining("to be a connection reset (CONNECTION_RESET), but the classifier saw CONNECTION_REFUSED:")
                    .hasMessageContaining("java.net.ConnectException: Connection refused");
        }

        @Test
        void theConditionNeedsAtLeastOneFailure() {
            assertThatIllegalArgumentException().isThrownBy(NetFaultAssertions::networkFailure)
                    .withMessage("networkFailure: name at least one NetworkFailure");
        }
    }
}
