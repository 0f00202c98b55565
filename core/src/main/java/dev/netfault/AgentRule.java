package dev.netfault;

/**
 * A rule of the {@link SocketAgent}, active until closed. Closing is idempotent; it affects
 * connections made afterwards (and disarms faults armed on open connections).
 *
 * @since 0.1
 */
public interface AgentRule extends AutoCloseable {

    /** {@return a human-readable form, such as {@code "refuse db.internal:5432"}} */
    String describe();

    @Override
    void close();
}
