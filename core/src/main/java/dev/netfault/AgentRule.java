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

    /**
     * {@return how many times the rule acted so far: connects it redirected, refused or armed,
     * connections already open when it was made that it reached, lookups it failed, accepts it
     * failed} A rule aimed at a target that ends with 0 reached nothing: the JUnit extension fails
     * the test then, since its faults did not happen.
     */
    long matches();

    /** {@return what {@link #matches()} counted, in words, such as {@code "2 connect(s)"}} */
    String describeMatches();

    @Override
    void close();
}
