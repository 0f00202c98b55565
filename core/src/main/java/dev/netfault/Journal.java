package dev.netfault;

import java.util.List;
import java.util.Optional;

/**
 * What happened on a fault listener: its connections and a time-ordered list of events.
 * Thread-safe and readable while the test runs, for example with Awaitility:
 *
 * <pre>{@code
 * await().until(() -> journal.connections().size() == 2);
 * assertThat(journal.connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.RST);
 * }</pre>
 *
 * @since 0.1
 */
public interface Journal {

    /** {@return a snapshot of every connection accepted so far, in accept order} */
    List<ConnectionRecord> connections();

    /**
     * {@return a snapshot of connection {@code id} (1 is the first accepted); empty if no such connection was accepted yet}
     *
     * @param id the connection's number, from 1
     */
    Optional<ConnectionRecord> connection(long id);

    /** {@return a snapshot of every event so far, in order} */
    List<JournalEvent> events();

    /**
     * {@return a snapshot of every exchange so far, over all connections, in the order they started
     * (requests by their number across the listener, greetings where they came)} The journal records
     * the first {@value #EXCHANGES_RECORDED} exchanges of a listener; later ones are still numbered
     * and faulted, but not listed.
     */
    default List<Exchange> exchanges() {
        return connections().stream().flatMap(c -> c.exchanges().stream())
                .sorted(java.util.Comparator.comparing(Exchange::started)).toList();
    }

    /**
     * {@return request {@code number} (1 is the first across the listener); empty if it has not started or is
     * beyond the {@value #EXCHANGES_RECORDED} recorded}
     *
     * @param number the request's number across the listener, from 1
     */
    default Optional<Exchange> request(long number) {
        return exchanges().stream().filter(e -> e.request() == number && !e.greeting()).findFirst();
    }

    /** How many exchanges a listener's journal lists (so that a long benchmark does not fill the heap). */
    int EXCHANGES_RECORDED = 100_000;

    /** {@return how many connections the listener accepted so far} */
    default int accepted() {
        return connections().size();
    }

    /** {@return how many faults fired so far, over all connections} */
    default long faultsFired() {
        return connections().stream().mapToLong(c -> c.faults().size()).sum();
    }

    /**
     * {@return the bytes read from and sent to clients so far, over all connections} It stays the same while the
     * connections idle, so a test can wait for an idle pause by what it is:
     * {@code await().during(pause).until(() -> journal.totalBytes() == before)}.
     */
    default long totalBytes() {
        return connections().stream().mapToLong(c -> c.bytesFromClient() + c.bytesToClient()).sum();
    }

    /** {@return a multi-line human-readable account, for failure messages} */
    String describe();
}
