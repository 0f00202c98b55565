package dev.netfault;

import dev.netfault.internal.HostileEngine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Misbehaving clients driven at the application's own server, on real TCP over loopback, for a test
 * that asserts the server survives them: its accept loop keeps going, it times out and closes what
 * it should, it answers the next well-behaved client. Every connection is recorded: what the client
 * did, what the server sent back, and how (and when) the server ended it.
 *
 * <pre>{@code
 * try (HostileClients clients = HostileClients.against(server.address())) {
 *     HostileConnection loris = clients.slowloris("GET / HTTP/1.1\r\n".getBytes(US_ASCII), Duration.ofMillis(200));
 *     await().until(() -> loris.reaction() == ServerReaction.CLOSED);   // the server's read timeout fired
 * }
 * }</pre>
 *
 * <p>One thread, named {@code netfault-hostile-<port>} after the port of the server it connects
 * to, drives all the connections; {@link #close()} resets whatever is still open and ends it.
 *
 * @since 0.1
 */
public interface HostileClients extends AutoCloseable {

    /**
     * {@return hostile clients for the server at {@code server}, with no connection yet} Close them when done.
     *
     * @param server the application's server, on a loopback address
     * @throws IllegalArgumentException if {@code server} is not a loopback address: netfault drives
     *     traffic at the test's own machine only
     */
    static HostileClients against(InetSocketAddress server) {
        Objects.requireNonNull(server, "server");
        if (server.isUnresolved() || !server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("hostile clients connect to loopback servers only (127.0.0.0/8 or ::1), but the server is " + server);
        }
        return HostileEngine.start(server);
    }

    /**
     * Connects and aborts with a RST at once, before sending anything.
     *
     * @return the connection, to watch what the server did
     */
    HostileConnection resetBeforeSending();

    /**
     * Sends the first {@code bytes} bytes of {@code request}, then aborts with a RST: a client that dies mid-request.
     *
     * @param request a whole request in the server's protocol
     * @param bytes how many of its bytes to send before the RST, from 0 to its length
     * @return the connection, to watch what the server did
     */
    HostileConnection resetAfterSending(byte[] request, int bytes);

    /**
     * Sends {@code request} one byte per {@code interval} (slowloris), reading whatever the server answers.
     *
     * @param request the bytes to trickle, such as an HTTP request's headers
     * @param interval the time between two bytes, more than 0
     * @return the connection, to watch what the server did
     */
    HostileConnection slowloris(byte[] request, Duration interval);

    /**
     * Connects and never sends anything, reading whatever the server answers.
     *
     * @return the connection, to watch what the server did
     */
    HostileConnection silent();

    /**
     * Sends {@code request} and never reads the answer, with a small receive buffer, so the server's
     * writes stall once the client's window is zero.
     *
     * @param request the request that makes the server answer
     * @return the connection, to watch what the server did
     */
    HostileConnection neverReading(byte[] request);

    /**
     * Opens {@code connections} connections at once and sends nothing: more than the server's accept
     * queue holds, and later ones are dropped by the kernel ({@link HostileConnection#connected()}
     * stays false for them).
     *
     * @param connections how many connections to open, at least 1
     * @return the connections, in the order they were opened
     */
    List<HostileConnection> flood(int connections);

    /** {@return every connection so far, in order} */
    List<HostileConnection> connections();

    /** {@return a multi-line account of every connection, for failure messages} */
    String describe();

    /** Resets every connection still open and stops the clients' thread. Idempotent. */
    @Override
    void close();
}
