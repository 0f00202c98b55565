package dev.netfault;

import java.time.Instant;

/**
 * One thing that happened on a fault listener, in the order it happened.
 *
 * @param time when
 * @param connection the connection's id, or 0 for the listener itself
 * @param type what
 * @param detail more, for people (may be empty)
 * @since 0.1
 */
public record JournalEvent(Instant time, long connection, Type type, String detail) {

    /** What happened. */
    public enum Type {
        /** The listener accepted a connection. */
        ACCEPTED,
        /** The connection to the upstream was established. */
        UPSTREAM_CONNECTED,
        /** The upstream could not be reached; the client was reset. */
        UPSTREAM_FAILED,
        /** A fault fired. */
        FAULT_FIRED,
        /** The client sent a FIN. */
        CLIENT_FIN,
        /** The client sent a RST (or its connection broke). */
        CLIENT_RST,
        /** The upstream sent a FIN. */
        UPSTREAM_FIN,
        /** The upstream sent a RST (or its connection broke). */
        UPSTREAM_RST,
        /** netfault sent the client a FIN. */
        SENT_FIN,
        /** netfault sent the client a RST. */
        SENT_RST,
        /** A leaky listener accepted a connection and abandoned it. */
        LEAKED,
        /** The listener filled its own accept queue: further connects time out. */
        ACCEPT_QUEUE_FILLED,
        /** Accepting failed (for example the process ran out of file descriptors); the listener retries. */
        ACCEPT_FAILED,
        /** The test took the listener down: its port refuses connections. */
        LISTENER_DOWN,
        /** The test brought the listener back up on its port. */
        LISTENER_UP,
        /**
         * The listener closed while this connection was relayed to an upstream: its faults ended, and
         * it relays on as a plain pass-through until the client or the upstream closes it (the close
         * events that follow say how).
         */
        RELEASED,
        /**
         * The listener closed: its port was released, and every connection it held was reset, or,
         * relayed to an upstream, released as a pass-through ({@link #RELEASED}).
         */
        LISTENER_CLOSED
    }

    @Override
    public String toString() {
        return time + " " + (connection == 0 ? "listener" : "#" + connection) + " " + type
                + (detail.isEmpty() ? "" : " " + detail);
    }
}
