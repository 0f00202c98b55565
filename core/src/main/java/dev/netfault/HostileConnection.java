package dev.netfault;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One connection of {@link HostileClients}: what the client did and what it saw the server do.
 * Thread-safe snapshot accessors, readable while the test runs (use Awaitility).
 *
 * @since 0.1
 */
public interface HostileConnection {

    /** {@return the connection's number, from 1, in the order the test asked for it} */
    int id();

    /** {@return what the client does, such as {@code "slowloris, 1 byte every 100ms"}} */
    String behaviour();

    /** {@return the client's address, once connected (the server sees it as the remote address)} */
    Optional<InetSocketAddress> localAddress();

    /** {@return whether the TCP handshake completed} */
    boolean connected();

    /** {@return the bytes the client has sent} */
    long bytesSent();

    /** {@return the bytes the server sent back (its answer), as far as the client read} */
    long bytesReceived();

    /** {@return what the server did so far} */
    ServerReaction reaction();

    /** {@return how long after the connect the server closed or reset the connection, if it did} */
    Optional<Duration> reactedAfter();

    /** {@return a one-line account} */
    String describe();
}
