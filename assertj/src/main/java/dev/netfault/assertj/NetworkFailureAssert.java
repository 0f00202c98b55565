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

    /** Creates an assertion on {@code actual}, which may be {@code null} (nothing was thrown). */
    public NetworkFailureAssert(Throwable actual) {
        super(actual, NetworkFailureAssert.class);
        this.classification = actual == null ? null : NetworkFailure.classify(actual);
    }

    /** {@return the classifier's verdict on the exception, or {@code null} if nothing was thrown} */
    public Classification classification() {
        return classification;
    }

    /** Checks that the exception shows a connection reset ({@code Connection reset}, {@code Connection reset by peer}). */
    public NetworkFailureAssert isConnectionReset() {
        return isOneOf(NetworkFailure.CONNECTION_RESET);
    }

    /** Checks that the exception shows a connect timeout ({@code SocketTimeoutException: Connect timed out}). */
    public NetworkFailureAssert isConnectTimeout() {
        return isOneOf(NetworkFailure.CONNECT_TIMEOUT);
    }

    /** Checks that the exception shows a read timeout ({@code SocketTimeoutException: Read timed out}). */
    public NetworkFailureAssert isReadTimeout() {
        return isOneOf(NetworkFailure.READ_TIMEOUT);
    }

    /** Checks that the exception shows a refused connection ({@code ConnectException: Connection refused}). */
    public NetworkFailureAssert isConnectionRefused() {
        return isOneOf(NetworkFailure.CONNECTION_REFUSED);
    }

    /** Checks that the exception shows a name that did not resolve ({@code UnknownHostException}). */
    public NetworkFailureAssert isUnknownHost() {
        return isOneOf(NetworkFailure.UNKNOWN_HOST);
    }

    /** Checks that the exception shows a connection the kernel gave up on ({@code Connection timed out}). */
    public NetworkFailureAssert isConnectionTimedOut() {
        return isOneOf(NetworkFailure.CONNECTION_TIMED_OUT);
    }

    /** Checks that the exception shows a stream that ended early ({@code EOFException}). */
    public NetworkFailureAssert isTruncated() {
        return isOneOf(NetworkFailure.TRUNCATED);
    }

    /** Checks that the exception shows a write to a connection the peer had closed ({@code Broken pipe}). */
    public NetworkFailureAssert isBrokenPipe() {
        return isOneOf(NetworkFailure.BROKEN_PIPE);
    }

    /**
     * Checks that the exception shows one of {@code expected}, for clients that race between two
     * outcomes (an {@code HttpClient} request may see a reset or a truncated body).
     *
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

    /** Checks that the exception shows a network failure, any of them. */
    public NetworkFailureAssert isNetworkFailure() {
        if (classification == null) {
            failWithMessage("%s", "Expecting a network failure, but nothing was thrown");
        } else if (classification.failure() == NetworkFailure.NONE) {
            failWithMessage("%s", "Expecting a network failure, but the classifier saw none:" + System.lineSeparator()
                    + classification.describe());
        }
        return myself;
    }

    /** Checks that nothing was thrown, or that the exception shows no network failure. */
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
