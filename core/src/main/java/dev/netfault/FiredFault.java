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
    public FiredFault {
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(at, "at");
    }
}
