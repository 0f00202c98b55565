package dev.netfault.assertj;

import dev.netfault.Classification;
import dev.netfault.NetworkFailure;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the network failure an exception shows, as {@link NetworkFailure#classify} sees it:
 * the exception, its causes and its suppressed exceptions. A failed assertion says what was expected
 * and what the classifier saw, with the whole chain ({@link Classification#describe()}).
 *
 * <pre>{@code
 * assertThatNetworkFailure(catchThrowable(() -> client.get("/orders"))).isConnectionReset();
 * assertThatThrownBy(() -> client.get("/orders")).asInstanceOf(NETWORK_FAILURE).isReadTimeout();
 * }</pre>
 *
 * <p>A {@code null} exception (nothing was thrown, as {@code catchThrowable} returns it) is no network
 * failure: {@link #isNotANetworkFailure()} passes, every other assertion fails.
 *
 * @since 0.1
 */
public class NetworkFailureAssert extends AbstractAssert<NetworkFailureAssert, Throwable> {

    private final Classification classification;

    /**
     * Creates an assertion on {@code actual}; {@link NetFaultAssertions#assertThatNetworkFailure} is the usual way.
     *
     * @param actual the exception the application threw, or {@code null} if it threw none
     */
    public NetworkFailureAssert(Throwable actual) {
        super(actual, NetworkFailureAssert.class);
        this.classification = actual == null ? null : NetworkFailure.classify(actual);
    }

    /** {@return the classifier's verdict on the exception, or {@code null} if nothing was thrown} */
    public Classification classification() {
        return classification;
    }

    /**
     * Checks that the exception shows a connection reset ({@code Connection reset}, {@code Connection reset by peer}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isConnectionReset() {
        return isOneOf(NetworkFailure.CONNECTION_RESET);
    }

    /**
     * Checks that the exception shows a connect timeout ({@code SocketTimeoutException: Connect timed out}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isConnectTimeout() {
        return isOneOf(NetworkFailure.CONNECT_TIMEOUT);
    }

    /**
     * Checks that the exception shows a read timeout ({@code SocketTimeoutException: Read timed out}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isReadTimeout() {
        return isOneOf(NetworkFailure.READ_TIMEOUT);
    }

    /**
     * Checks that the exception shows a refused connection ({@code ConnectException: Connection refused}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isConnectionRefused() {
        return isOneOf(NetworkFailure.CONNECTION_REFUSED);
    }

    /**
     * Checks that the exception shows a name that did not resolve ({@code UnknownHostException}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isUnknownHost() {
        return isOneOf(NetworkFailure.UNKNOWN_HOST);
    }

    /**
     * Checks that the exception shows a connection the kernel gave up on ({@code Connection timed out}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isConnectionTimedOut() {
        return isOneOf(NetworkFailure.CONNECTION_TIMED_OUT);
    }

    /**
     * Checks that the exception shows a stream that ended early ({@code EOFException}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isTruncated() {
        return isOneOf(NetworkFailure.TRUNCATED);
    }

    /**
     * Checks that the exception shows a write to a connection the peer had closed ({@code Broken pipe}).
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isBrokenPipe() {
        return isOneOf(NetworkFailure.BROKEN_PIPE);
    }

    /**
     * Checks that the exception shows one of {@code expected}, for clients that race between two
     * outcomes (an {@code HttpClient} request may see a reset or a truncated body).
     *
     * @param expected the accepted failures, at least one
     * @return this assertion, for chaining
     * @throws IllegalArgumentException if {@code expected} is empty
     */
    public NetworkFailureAssert isOneOf(NetworkFailure... expected) {
        if (expected.length == 0) {
            throw new IllegalArgumentException("isOneOf: name at least one NetworkFailure");
        }
        List<NetworkFailure> wanted = Arrays.asList(expected);
        if (classification == null) {
            failWithMessage("%s", "Expecting " + describe(wanted) + ", but nothing was thrown");
        } else if (!wanted.contains(classification.failure())) {
            failWithMessage("%s", "Expecting " + describe(wanted) + ", but the classifier saw " + classification.failure()
                    + ":" + System.lineSeparator() + classification.describe());
        }
        return myself;
    }

    /**
     * Checks that the exception shows a network failure, any of them.
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isNetworkFailure() {
        if (classification == null) {
            failWithMessage("%s", "Expecting a network failure, but nothing was thrown");
        } else if (classification.failure() == NetworkFailure.NONE) {
            failWithMessage("%s", "Expecting a network failure, but the classifier saw none:" + System.lineSeparator()
                    + classification.describe());
        }
        return myself;
    }

    /**
     * Checks that nothing was thrown, or that the exception shows no network failure.
     *
     * @return this assertion, for chaining
     */
    public NetworkFailureAssert isNotANetworkFailure() {
        if (classification != null && classification.failure() != NetworkFailure.NONE) {
            failWithMessage("%s", "Expecting no network failure, but the classifier saw " + classification.failure() + ":"
                    + System.lineSeparator() + classification.describe());
        }
        return myself;
    }

    static String describe(List<NetworkFailure> failures) {
        return failures.size() == 1 ? describe(failures.get(0))
                : "one of " + failures.stream().map(NetworkFailureAssert::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    static String describe(NetworkFailure failure) {
        return switch (failure) {
            case CONNECTION_RESET -> "a connection reset (CONNECTION_RESET)";
            case CONNECT_TIMEOUT -> "a connect timeout (CONNECT_TIMEOUT)";
            case READ_TIMEOUT -> "a read timeout (READ_TIMEOUT)";
            case CONNECTION_REFUSED -> "a refused connection (CONNECTION_REFUSED)";
            case UNKNOWN_HOST -> "an unknown host (UNKNOWN_HOST)";
            case CONNECTION_TIMED_OUT -> "a timed-out connection (CONNECTION_TIMED_OUT)";
            case TRUNCATED -> "a truncated stream (TRUNCATED)";
            case BROKEN_PIPE -> "a broken pipe (BROKEN_PIPE)";
            case NONE -> "no network failure (NONE)";
            default -> failure.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + failure + ")";
        };
    }
}
