package dev.netfault;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of one connection a fault listener accepted.
 *
 * <p>The time the client's handshake completed is not listed: the kernel completes it before the
 * listener accepts (which is what a slow accept is about), and does not say when.
 *
 * @param id the connection's number on its listener, in accept order from 1
 * @param client the client's address (its ephemeral port tells which client socket it was)
 * @param accepted when the listener accepted it
 * @param upstreamConnected when the connection to the upstream was established (proxy listeners)
 * @param closed when netfault finished with it (both sides closed, or aborted)
 * @param bytesFromClient bytes read from the client (relayed to the upstream, or discarded)
 * @param bytesToClient bytes sent to the client
 * @param faults the faults that fired, in order
 * @param clientClosure how the client ended its side
 * @param listenerClosure how netfault ended the client's connection
 * @param leaked whether a leaky listener accepted and abandoned it
 * @param exchanges its exchanges (requests and their responses, a greeting first if the server
 *     spoke first), in order; see {@link Exchange}
 * @since 0.1
 */
public record ConnectionRecord(
        long id,
        InetSocketAddress client,
        Instant accepted,
        Optional<Instant> upstreamConnected,
        Optional<Instant> closed,
        long bytesFromClient,
        long bytesToClient,
        List<FiredFault> faults,
        Closure clientClosure,
        Closure listenerClosure,
        boolean leaked,
        List<Exchange> exchanges) {

    /**
     * Copies the lists (unmodifiable).
     *
     * @param id the connection's number on its listener, from 1
     * @param client the client's address
     * @param accepted when the listener accepted it
     * @param upstreamConnected when the upstream connection was established; empty if never (stand-alone listeners)
     * @param closed when netfault finished with it; empty while it is open
     * @param bytesFromClient bytes read from the client
     * @param bytesToClient bytes sent to the client
     * @param faults the faults that fired, in order
     * @param clientClosure how the client ended its side
     * @param listenerClosure how netfault ended the client's connection
     * @param leaked whether a leaky listener accepted and abandoned it
     * @param exchanges its exchanges, in order
     */
    public ConnectionRecord {
        faults = List.copyOf(faults);
        exchanges = List.copyOf(exchanges);
    }

    /**
     * A record without exchanges (the form before exchanges were recorded).
     *
     * @param id the connection's number on its listener, from 1
     * @param client the client's address
     * @param accepted when the listener accepted it
     * @param upstreamConnected when the upstream connection was established; empty if never (stand-alone listeners)
     * @param closed when netfault finished with it; empty while it is open
     * @param bytesFromClient bytes read from the client
     * @param bytesToClient bytes sent to the client
     * @param faults the faults that fired, in order
     * @param clientClosure how the client ended its side
     * @param listenerClosure how netfault ended the client's connection
     * @param leaked whether a leaky listener accepted and abandoned it
     */
    public ConnectionRecord(long id, InetSocketAddress client, Instant accepted, Optional<Instant> upstreamConnected,
            Optional<Instant> closed, long bytesFromClient, long bytesToClient, List<FiredFault> faults, Closure clientClosure,
            Closure listenerClosure, boolean leaked) {
        this(id, client, accepted, upstreamConnected, closed, bytesFromClient, bytesToClient, faults, clientClosure,
                listenerClosure, leaked, List.of());
    }

    /** {@return its requests (client turns), without a greeting, in order} */
    public List<Exchange> requests() {
        return exchanges.stream().filter(e -> !e.greeting()).toList();
    }

    /**
     * {@return whether a fault with this effect type fired on this connection}
     *
     * @param effectType the effect's class, such as {@code Effect.Reset.class}; {@code Effect.class} matches any fault
     */
    public boolean fired(Class<? extends Effect> effectType) {
        return faults.stream().anyMatch(f -> effectType.isInstance(f.fault().effect()));
    }

    /** {@return how long after accept netfault finished with it, if it did} */
    public Optional<Duration> lifetime() {
        return closed.map(c -> Duration.between(accepted, c));
    }

    /** {@return a one-line human-readable summary} */
    public String describe() {
        StringBuilder s = new StringBuilder()
                .append('#').append(id).append(" from ").append(client.getPort())
                .append(": ").append(bytesFromClient).append(" bytes in, ")
                .append(bytesToClient).append(" bytes out");
        for (FiredFault f : faults) {
            s.append("; fired ").append(f.fault().effect().describe()).append(' ').append(f.fault().trigger().describe());
        }
        if (leaked) {
            s.append("; leaked");
        }
        s.append("; client ").append(clientClosure).append(", netfault ").append(listenerClosure);
        return s.toString();
    }
}
