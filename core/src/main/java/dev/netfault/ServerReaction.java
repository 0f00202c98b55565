package dev.netfault;

/**
 * What an application's server did to a {@link HostileClients hostile} connection, as the client saw it.
 *
 * @since 0.1
 */
public enum ServerReaction {
    /** Nothing ended the connection: the server left it open (so far). */
    LEFT_OPEN,
    /** The server closed the connection with a FIN (read returned -1). */
    CLOSED,
    /** The server aborted the connection with a RST ({@code Connection reset}). */
    RESET,
    /** The connect did not complete: the server's accept queue was full, or nothing listens. */
    NOT_CONNECTED,
    /** The hostile client ended first (it reset) or never reads, so the server's reaction is not visible from the client. */
    NOT_OBSERVED
}
