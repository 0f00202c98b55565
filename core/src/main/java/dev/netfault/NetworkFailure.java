package dev.netfault;

import dev.netfault.internal.Classifier;

/**
 * The network failure a {@link Throwable} stands for, as the application saw it.
 *
 * <p>{@link #classify(Throwable)} walks the throwable's causes and suppressed exceptions and decides
 * by the most specific evidence it finds; client wrappers (HttpClient, HttpURLConnection, OkHttp,
 * Apache HttpClient 5, JDBC drivers and HikariCP, Jedis, Lettuce, Netty, gRPC) are recognised by
 * class name, so none of them is a dependency. See the README's "Classifying what the application
 * saw" for the rules and their precedence.
 */
public enum NetworkFailure {
    /** The peer reset the connection ({@code ECONNRESET}: "Connection reset", "Connection reset by peer"). */
    CONNECTION_RESET,
    /** A connect did not complete in time (a client's connect timeout, or an untimed connect's {@code ETIMEDOUT}). */
    CONNECT_TIMEOUT,
    /** A read (or a whole request) did not complete in time: the peer was silent. */
    READ_TIMEOUT,
    /** Nothing listened: the connect was refused ({@code ECONNREFUSED}). */
    CONNECTION_REFUSED,
    /** The host name did not resolve. */
    UNKNOWN_HOST,
    /** {@code ETIMEDOUT} on an established connection (retransmissions or {@code TCP_USER_TIMEOUT} ran out). */
    CONNECTION_TIMED_OUT,
    /** Premature end of stream: the connection ended before the response or its body was complete. */
    TRUNCATED,
    /** A write after the connection was gone ({@code EPIPE}: "Broken pipe"). */
    BROKEN_PIPE,
    /** Not a network failure (or nothing in the chain says which one). */
    NONE;

    /**
     * Classifies what the application caught.
     *
     * @param t what was thrown; may be {@code null}
     * @return the classification of {@code t} (never null; {@link #NONE} for null or anything not network)
     */
    public static Classification classify(Throwable t) {
        return Classifier.classify(t);
    }
}
