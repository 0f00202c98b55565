package dev.netfault.assertj;

import dev.netfault.ConnectionRecord;
import dev.netfault.Journal;
import org.assertj.core.api.SoftAssertions;

/**
 * AssertJ's {@link SoftAssertions} plus netfault's assertions: every failure is collected, and
 * {@link #assertAll()} reports them together. Connections reached through
 * {@link JournalAssert#connection(long)} are soft too.
 *
 * <pre>{@code
 * NetFaultSoftAssertions softly = new NetFaultSoftAssertions();
 * softly.assertThatNetworkFailure(thrown).isConnectionReset();
 * softly.assertThat(listener.journal()).hasAccepted(1).connection(1).closedByListenerWith(Closure.RST);
 * softly.assertAll();
 * }</pre>
 *
 * <p>With JUnit 5, AssertJ's {@code SoftAssertionsExtension} injects it and calls {@code assertAll()}
 * after the test: {@code @InjectSoftAssertions NetFaultSoftAssertions softly}. Inside Awaitility's
 * {@code untilAsserted}, make a fresh one per attempt and end with {@code assertAll()}: its error is an
 * {@code AssertionError}, which Awaitility retries on.
 *
 * @since 0.1
 */
public class NetFaultSoftAssertions extends SoftAssertions {

    /** Creates an empty collection of soft assertions; end it with {@link #assertAll()}. */
    public NetFaultSoftAssertions() {
    }

    /**
     * {@return soft assertions on the network failure {@code actual} shows}
     *
     * @param actual the exception the application threw, or {@code null} if it threw none
     */
    public NetworkFailureAssert assertThatNetworkFailure(Throwable actual) {
        return proxy(NetworkFailureAssert.class, Throwable.class, actual);
    }

    /**
     * {@return soft assertions on a fault listener's journal}
     *
     * @param actual the journal, such as {@code listener.journal()}
     */
    public JournalAssert assertThat(Journal actual) {
        return proxy(JournalAssert.class, Journal.class, actual).softly(this);
    }

    /**
     * {@return soft assertions on one connection of a journal}
     *
     * @param actual the connection's snapshot
     */
    public ConnectionAssert assertThat(ConnectionRecord actual) {
        return connectionAssert(actual);
    }

    ConnectionAssert connectionAssert(ConnectionRecord actual) {
        return proxy(ConnectionAssert.class, ConnectionRecord.class, actual);
    }
}
