package dev.netfault;

/**
 * netfault's socket agent could not be installed or failed its self-check. The message says what
 * failed, why, and what to add to the JVM's command line.
 *
 * @since 0.1
 */
public final class AgentUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
