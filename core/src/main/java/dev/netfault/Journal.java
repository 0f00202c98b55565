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

    /** {@return a snapshot of connection {@code id} (1 is the first accepted), if there is one} */
    Optional<ConnectionRecord> connection(long id);

    /** {@return a snapshot of every event so far, in order} */
    List<JournalEvent> events();

    /** {@return how many connections the listener accepted so far} */
    default int accepted() {
        return connections().size();
    }

    /** {@return how many faults fired so far, over all connections} */
    default long faultsFired() {
        return connections().stream().mapToLong(c -> c.faults().size()).sum();
    }

    /** {@return a multi-line human-readable account, for failure messages} */
    String describe();
}
