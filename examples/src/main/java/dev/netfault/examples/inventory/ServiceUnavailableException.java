package dev.netfault.examples.inventory;

import java.net.URI;

/**
 * The inventory service could not be reached or did not answer, after every attempt the client
 * was allowed. The cause is the last attempt's failure; earlier ones are suppressed exceptions.
 */
public class ServiceUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    public ServiceUnavailableException(URI service, int attempts, Throwable lastFailure) {
        super("inventory service " + service + " is unavailable: " + attempts + (attempts == 1 ? " attempt" : " attempts")
                + " failed, the last with " + lastFailure, lastFailure);
        this.attempts = attempts;
    }

    public ServiceUnavailableException(String message) {
        super(message);
        this.attempts = 1;
    }

    /** {@return how many requests the client sent before it gave up} */
    public int attempts() {
        return attempts;
    }
}
