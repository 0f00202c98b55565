package dev.netfault;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One exchange on a connection, as recorded in the {@link Journal}: a request (a client turn) and
 * the response to it (the server turn that follows), or the connection's greeting (the server
 * speaking before the client's first request, index 0). See {@link Trigger} for how turns are told
 * apart.
 *
 * @param connection the connection's id (see {@link ConnectionRecord#id()})
 * @param index the request's number on its connection, from 1; 0 for a greeting
 * @param request the request's number across the listener, in the order requests started, from 1;
 *     0 for a greeting
 * @param started when the request's first byte (a greeting's: its first byte) was read
 * @param requestBytes bytes read from the client in this turn, forwarded or not (a request a fault
 *     swallowed still counts them)
 * @param responseBytes bytes of the response sent to the client
 * @param responseStarted when the response's first byte was read from the server, if it was
 * @param faults the faults that fired during this exchange, in order
 * @since 0.1
 */
public record Exchange(long connection, long index, long request, Instant started, long requestBytes, long responseBytes,
        Optional<Instant> responseStarted, List<FiredFault> faults) {

    /**
     * Copies the list of faults (unmodifiable); rejects a null start or response start.
     *
     * @param connection the connection's id
     * @param index the request's number on its connection, from 1; 0 for a greeting
     * @param request the request's number across the listener, from 1; 0 for a greeting
     * @param started when the first byte was read, not null
     * @param requestBytes bytes read from the client in this turn
     * @param responseBytes bytes of the response sent to the client
     * @param responseStarted when the response's first byte was read from the server; empty if none came
     * @param faults the faults that fired during this exchange, in order
     */
    public Exchange {
        java.util.Objects.requireNonNull(started, "started");
        java.util.Objects.requireNonNull(responseStarted, "responseStarted");
        faults = List.copyOf(faults);
    }

    /** {@return whether this is a greeting: the server spoke before the client's first request} */
    public boolean greeting() {
        return index == 0;
    }

    /**
     * {@return whether a fault with this effect type fired during this exchange}
     *
     * @param effectType the effect's class, such as {@code Effect.Reset.class}; {@code Effect.class} matches any fault
     */
    public boolean fired(Class<? extends Effect> effectType) {
        return faults.stream().anyMatch(f -> effectType.isInstance(f.fault().effect()));
    }

    /** {@return a one-line human-readable summary} */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (greeting()) {
            s.append("#").append(connection).append(" greeting: ").append(responseBytes).append(" bytes out");
        } else {
            s.append("request ").append(request).append(" (#").append(connection).append('.').append(index).append("): ")
                    .append(requestBytes).append(" bytes in, ").append(responseBytes).append(" bytes out");
        }
        for (FiredFault f : faults) {
            s.append("; fired ").append(f.fault().effect().describe()).append(' ').append(f.fault().trigger().describe());
        }
        return s.toString();
    }
}
