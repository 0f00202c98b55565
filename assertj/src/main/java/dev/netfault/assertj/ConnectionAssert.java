package dev.netfault.assertj;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FiredFault;
import dev.netfault.Journal;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one connection a fault listener accepted: a snapshot ({@link ConnectionRecord}), taken
 * by {@link JournalAssert#connection(long)} or given to {@code assertThat(ConnectionRecord)}. A failed
 * assertion prints the connection ({@link ConnectionRecord#describe()}) and, when it came from a
 * journal, the whole journal.
 *
 * @since 0.1
 */
public class ConnectionAssert extends AbstractAssert<ConnectionAssert, ConnectionRecord> {

    private Journal journal;
    private long id;

    /**
     * Creates an assertion on {@code actual}; {@link NetFaultAssertions#assertThat(ConnectionRecord)} is the usual way.
     *
     * @param actual the connection's snapshot; {@code null} fails every assertion
     */
    public ConnectionAssert(ConnectionRecord actual) {
        super(actual, ConnectionAssert.class);
    }

    ConnectionAssert within(Journal source, long connectionId) {
        this.journal = source;
        this.id = connectionId;
        return this;
    }

    static String missing(long id, Journal journal) {
        return "Expecting connection #" + id + ", but the listener accepted " + journal.accepted() + " connection(s)";
    }

    /**
     * Checks that a fault with this effect type fired on the connection, for example {@code Effect.Reset.class}.
     *
     * @param effectType the effect's class; {@code Effect.class} accepts any fault
     * @return this assertion, for chaining
     */
    public ConnectionAssert hadFaultFired(Class<? extends Effect> effectType) {
        if (!record().fired(effectType)) {
            fail("Expecting a " + effectType.getSimpleName() + " fault to have fired");
        }
        return myself;
    }

    /**
     * Checks that this fault (effect, trigger, connections and direction) fired on the connection.
     *
     * @param fault the fault, equal to one the listener was given
     * @return this assertion, for chaining
     */
    public ConnectionAssert hadFaultFired(Fault fault) {
        if (record().faults().stream().noneMatch(f -> f.fault().equals(fault))) {
            fail("Expecting " + fault.describe() + " to have fired");
        }
        return myself;
    }

    /**
     * Checks that no fault fired on the connection.
     *
     * @return this assertion, for chaining
     */
    public ConnectionAssert hadNoFaultFired() {
        if (!record().faults().isEmpty()) {
            fail("Expecting no fault to have fired, but " + record().faults().size() + " fired");
        }
        return myself;
    }

    /**
     * Checks that a fault fired when exactly {@code bytes} had been relayed in {@code direction}: a
     * fault triggered after 100 bytes to the client fired with 100 bytes sent.
     *
     * @param direction which stream's count to compare
     * @param bytes the bytes relayed in that direction when the fault fired
     * @return this assertion, for chaining
     */
    public ConnectionAssert firedAfterBytes(Direction direction, long bytes) {
        if (record().faults().stream().noneMatch(f -> bytesAt(f, direction) == bytes)) {
            fail("Expecting a fault to have fired after " + bytes + " bytes " + direction.describe() + ", but "
                    + (record().faults().isEmpty() ? "none fired"
                    : "they fired after " + record().faults().stream().map(f -> String.valueOf(bytesAt(f, direction))).toList()
                    + " bytes"));
        }
        return myself;
    }

    private static long bytesAt(FiredFault fault, Direction direction) {
        return direction == Direction.TO_CLIENT ? fault.bytesToClient() : fault.bytesFromClient();
    }

    /**
     * Checks how the client ended its side: {@code FIN}, {@code RST}, or still {@code OPEN}.
     *
     * @param closure the expected closure
     * @return this assertion, for chaining
     */
    public ConnectionAssert closedByClientWith(Closure closure) {
        if (record().clientClosure() != closure) {
            fail("Expecting the client to have closed with " + closure + ", but it was " + record().clientClosure());
        }
        return myself;
    }

    /**
     * Checks how netfault's listener ended the client's connection: {@code FIN}, {@code RST}, or still {@code OPEN}.
     *
     * @param closure the expected closure
     * @return this assertion, for chaining
     */
    public ConnectionAssert closedByListenerWith(Closure closure) {
        if (record().listenerClosure() != closure) {
            fail("Expecting the listener to have closed with " + closure + ", but it was " + record().listenerClosure());
        }
        return myself;
    }

    /**
     * Checks that exactly {@code bytes} bytes were sent to the client.
     *
     * @param bytes the expected count, over the connection's whole life so far
     * @return this assertion, for chaining
     */
    public ConnectionAssert sentToClient(long bytes) {
        if (record().bytesToClient() != bytes) {
            fail("Expecting " + bytes + " bytes sent to the client, but " + record().bytesToClient() + " were");
        }
        return myself;
    }

    /**
     * Checks that exactly {@code bytes} bytes were read from the client.
     *
     * @param bytes the expected count, over the connection's whole life so far
     * @return this assertion, for chaining
     */
    public ConnectionAssert receivedFromClient(long bytes) {
        if (record().bytesFromClient() != bytes) {
            fail("Expecting " + bytes + " bytes received from the client, but " + record().bytesFromClient() + " were");
        }
        return myself;
    }

    /**
     * Checks that a leaky listener accepted and abandoned the connection.
     *
     * @return this assertion, for chaining
     */
    public ConnectionAssert wasLeaked() {
        if (!record().leaked()) {
            fail("Expecting the connection to have been leaked, but it was not");
        }
        return myself;
    }

    private ConnectionRecord record() {
        if (actual == null) {
            if (journal != null) {
                failWithMessage("%s", missing(id, journal) + ". The journal:" + System.lineSeparator() + journal.describe());
            }
            isNotNull();
        }
        return actual;
    }

    private void fail(String message) {
        String where = "connection " + actual.describe();
        failWithMessage("%s", message + System.lineSeparator() + "on " + where
                + (journal == null ? "" : System.lineSeparator() + "The journal:" + System.lineSeparator() + journal.describe()));
    }
}
