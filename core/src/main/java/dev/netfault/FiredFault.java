package dev.netfault;

import java.time.Instant;
import java.util.Objects;

/**
 * A fault that fired on a connection, as recorded in the {@link Journal}.
 *
 * @param fault the fault
 * @param at when it fired
 * @param bytesFromClient bytes relayed from the client when it fired
 * @param bytesToClient bytes relayed to the client when it fired
 * @since 0.1
 */
public record FiredFault(Fault fault, Instant at, long bytesFromClient, long bytesToClient) {
    /**
     * Rejects a null fault or time.
     *
     * @param fault the fault, not null
     * @param at when it fired, not null
     * @param bytesFromClient bytes relayed from the client when it fired
     * @param bytesToClient bytes relayed to the client when it fired
     */
    public FiredFault {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(at, "at");
    }
}
