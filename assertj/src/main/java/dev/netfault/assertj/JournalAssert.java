package dev.netfault.assertj;

import dev.netfault.ConnectionRecord;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a fault listener's {@link Journal}. Each assertion reads the journal when it runs (the
 * journal is live), so they can be retried with Awaitility's {@code untilAsserted}. A failed
 * assertion prints the whole journal ({@link Journal#describe()}).
 *
 * <pre>{@code
 * assertThat(listener.journal()).hasAccepted(1).hasFaultsFired(1);
 * assertThat(listener.journal()).connection(1).hadFaultFired(Effect.Reset.class).closedByListenerWith(Closure.RST);
 * }</pre>
 *
 * @since 0.1
 */
public class JournalAssert extends AbstractAssert<JournalAssert, Journal> {

    /** Set for soft assertions: connections' assertions are then soft too. */
    private NetFaultSoftAssertions softly;

    /**
     * Creates an assertion on {@code actual}; {@link NetFaultAssertions#assertThat(Journal)} is the usual way.
     *
     * @param actual the listener's journal; {@code null} fails every assertion
     */
    public JournalAssert(Journal actual) {
        super(actual, JournalAssert.class);
    }

    JournalAssert softly(NetFaultSoftAssertions softAssertions) {
        this.softly = softAssertions;
        return this;
    }

    /**
     * Checks that the listener accepted exactly {@code expected} connections so far.
     *
     * @param expected the number of connections
     * @return this assertion, for chaining
     */
    public JournalAssert hasAccepted(int expected) {
        isNotNull();
        int accepted = actual.accepted();
        if (accepted != expected) {
            fail("Expecting the listener to have accepted " + expected + " connection(s), but it accepted " + accepted);
        }
        return myself;
    }

    /**
     * Checks that exactly {@code expected} faults fired so far, over all connections.
     *
     * @param expected the number of times a fault fired (a fault that fires on two connections counts twice)
     * @return this assertion, for chaining
     */
    public JournalAssert hasFaultsFired(long expected) {
        isNotNull();
        long fired = actual.faultsFired();
        if (fired != expected) {
            fail("Expecting " + expected + " fault(s) to have fired, but " + fired + " fired");
        }
        return myself;
    }

    /**
     * Checks that the journal recorded at least one event of this type.
     *
     * @param type the event's type
     * @return this assertion, for chaining
     */
    public JournalAssert hasEvent(JournalEvent.Type type) {
        isNotNull();
        if (actual.events().stream().noneMatch(e -> e.type() == type)) {
            fail("Expecting the journal to have recorded " + type + ", but it did not");
        }
        return myself;
    }

    /**
     * Checks that the journal recorded no event of this type.
     *
     * @param type the event's type
     * @return this assertion, for chaining
     */
    public JournalAssert hasNoEvent(JournalEvent.Type type) {
        isNotNull();
        actual.events().stream().filter(e -> e.type() == type).findFirst()
                .ifPresent(e -> fail("Expecting the journal not to have recorded " + type + ", but it did: " + e));
        return myself;
    }

    /**
     * {@return assertions on connection {@code id} (1 is the first accepted), as it is now}
     *
     * <p>Fails if the listener has not accepted it. In soft assertions, the failure is collected,
     * and so is the failure of every assertion on the missing connection.
     *
     * @param id the connection's number, in accept order from 1
     */
    public ConnectionAssert connection(long id) {
        isNotNull();
        Optional<ConnectionRecord> record = actual.connection(id);
        if (softly != null) {
            return softly.connectionAssert(record.orElse(null)).within(actual, id);
        }
        if (record.isEmpty()) {
            fail(ConnectionAssert.missing(id, actual));
        }
        ConnectionAssert connection = new ConnectionAssert(record.get()).within(actual, id);
        if (info.description() != null && !info.descriptionText().isEmpty()) {
            connection.as(info.description());
        }
        return connection;
    }

    private void fail(String message) {
        failWithMessage("%s", message + ". The journal:" + System.lineSeparator() + actual.describe());
    }
}
