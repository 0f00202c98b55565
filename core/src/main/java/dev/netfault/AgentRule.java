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

    /**
     * {@return how many connections to the rule's target were open when it was made but out of its
     * reach, because they were opened before netfault's agent was installed (Linux; a target with a
     * port)} The JUnit extension fails the test when this is not 0: the application may be using them,
     * and its test would pass without meeting the fault. Load the agent earlier ({@code -javaagent}, or
     * {@code @EnableNetFault} on the test class) so that it sees them.
     */
    default long unreached() {
        return 0;
    }

    /** {@return what {@link #matches()} counted, in words, such as {@code "2 connect(s)"}} */
    String describeMatches();

    @Override
    void close();
}
