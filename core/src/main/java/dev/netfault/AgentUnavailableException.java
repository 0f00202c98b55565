package dev.netfault;

/**
 * netfault's socket agent could not be installed or failed its self-check. The message says what
 * failed, why, and what to add to the JVM's command line.
 *
 * @since 0.1
 */
public final class AgentUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, why, and what to add to the JVM's command line
     * @param cause the failure underneath (from attaching or from the self-check), or {@code null} if none
     */
    public AgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
