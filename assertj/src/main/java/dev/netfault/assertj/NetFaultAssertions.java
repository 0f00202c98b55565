package dev.netfault.assertj;

import dev.netfault.ConnectionRecord;
import dev.netfault.Journal;
import dev.netfault.NetworkFailure;
import java.util.List;
import org.assertj.core.api.Condition;
import org.assertj.core.api.InstanceOfAssertFactory;

/**
 * Entry points of netfault's AssertJ assertions: on the network failure the application saw, and on a
 * fault listener's {@link Journal}.
 *
 * <pre>{@code
 * import static dev.netfault.assertj.NetFaultAssertions.*;
 * import static org.assertj.core.api.Assertions.*;
 *
 * assertThatNetworkFailure(catchThrowable(() -> client.get("/orders"))).isConnectionReset();
 * assertThatThrownBy(() -> client.get("/orders")).asInstanceOf(NETWORK_FAILURE).isReadTimeout();
 * assertThatThrownBy(() -> client.get("/orders")).is(networkFailure(CONNECTION_RESET, TRUNCATED));
 * assertThat(listener.journal()).hasAccepted(1).connection(1).closedByListenerWith(Closure.RST);
 * }</pre>
 *
 * <p>Both classes' members can be imported on demand ({@code .*}) together, or
 * {@code assertThat} by name from both: Java picks the most specific overload, and
 * {@code assertThat(Journal)} and {@code assertThat(ConnectionRecord)} are more specific than AssertJ's
 * generic {@code assertThat(T)}. Do not import AssertJ's {@code assertThat} by name while importing this
 * class on demand: the import by name hides the other. The assertion on exceptions has a name of its own,
 * {@link #assertThatNetworkFailure}, as AssertJ's {@code assertThat(Throwable)} takes
 * {@code assertThat}.
 *
 * @since 0.1
 */
public final class NetFaultAssertions {

    /**
     * Turns an exception assertion into a network failure assertion:
     * {@code assertThatThrownBy(call).asInstanceOf(NETWORK_FAILURE).isConnectionReset()}.
     */
    public static final InstanceOfAssertFactory<Throwable, NetworkFailureAssert> NETWORK_FAILURE =
            new InstanceOfAssertFactory<>(Throwable.class, NetworkFailureAssert::new);

    private NetFaultAssertions() {
    }

    /**
     * {@return assertions on the network failure {@code actual} shows} {@code actual} may be
     * {@code null}, as AssertJ's {@code catchThrowable} returns it when nothing was thrown.
     *
     * @param actual the exception the application threw, or {@code null} if it threw none
     */
    public static NetworkFailureAssert assertThatNetworkFailure(Throwable actual) {
        return new NetworkFailureAssert(actual);
    }

    /**
     * {@return assertions on a fault listener's journal}
     *
     * @param actual the journal, such as {@code listener.journal()}
     */
    public static JournalAssert assertThat(Journal actual) {
        return new JournalAssert(actual);
    }

    /**
     * {@return assertions on one connection of a journal}
     *
     * @param actual the connection's snapshot, such as {@code journal.connection(1).orElseThrow()}
     */
    public static ConnectionAssert assertThat(ConnectionRecord actual) {
        return new ConnectionAssert(actual);
    }

    /**
     * BDD style: the same as {@link #assertThatNetworkFailure(Throwable)}.
     *
     * @param actual the exception the application threw, or {@code null} if it threw none
     * @return assertions on the network failure {@code actual} shows
     */
    public static NetworkFailureAssert thenNetworkFailure(Throwable actual) {
        return assertThatNetworkFailure(actual);
    }

    /**
     * BDD style: the same as {@link #assertThat(Journal)}.
     *
     * @param actual the journal, such as {@code listener.journal()}
     * @return assertions on the journal
     */
    public static JournalAssert then(Journal actual) {
        return assertThat(actual);
    }

    /**
     * BDD style: the same as {@link #assertThat(ConnectionRecord)}.
     *
     * @param actual the connection's snapshot
     * @return assertions on the connection
     */
    public static ConnectionAssert then(ConnectionRecord actual) {
        return assertThat(actual);
    }

    /**
     * {@return a condition met by an exception that shows one of {@code oneOf}} For AssertJ's
     * {@code is}, {@code has}, {@code satisfies} and {@code are}:
     * {@code assertThatThrownBy(call).is(networkFailure(CONNECTION_RESET))}. When it is not met, the
     * message says what the classifier saw. Each call makes a fresh condition, meant for one assertion.
     *
     * @param oneOf the accepted failures, at least one
     * @throws IllegalArgumentException if {@code oneOf} is empty
     */
    public static Condition<Throwable> networkFailure(NetworkFailure... oneOf) {
        if (oneOf.length == 0) {
            throw new IllegalArgumentException("networkFailure: name at least one NetworkFailure");
        }
        return new NetworkFailureCondition(List.of(oneOf));
    }
}
