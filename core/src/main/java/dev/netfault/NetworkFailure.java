package dev.netfault;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The network failure an exception shows, as the JDK reports it.
 *
 * <p>STAND-IN: a minimal version of this API, so that netfault-assertj compiles and is tested; the
 * real one replaces it.
 *
 * @since 0.1
 */
public enum NetworkFailure {
    /** The peer aborted the connection: {@code Connection reset}, {@code Connection reset by peer}. */
    CONNECTION_RESET,
    /** A timed connect ran out: {@code SocketTimeoutException: Connect timed out}. */
    CONNECT_TIMEOUT,
    /** A read ran past its read timeout: {@code SocketTimeoutException: Read timed out}. */
    READ_TIMEOUT,
    /** Nothing listened: {@code ConnectException: Connection refused}. */
    CONNECTION_REFUSED,
    /** The name did not resolve: {@code UnknownHostException}. */
    UNKNOWN_HOST,
    /** The kernel gave up on the connection ({@code ETIMEDOUT}): {@code Connection timed out}. */
    CONNECTION_TIMED_OUT,
    /** The stream ended early: {@code EOFException}. */
    TRUNCATED,
    /** A write to a connection the peer had closed: {@code Broken pipe}. */
    BROKEN_PIPE,
    /** No network failure in the chain. */
    NONE;

    /**
     * {@return what {@code t} shows} The exception, its causes and its suppressed exceptions are
     * walked depth-first, outermost first; the first one that shows a network failure is the evidence.
     */
    public static Classification classify(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        walk(t, chain, Collections.newSetFromMap(new IdentityHashMap<>()));
        for (Throwable candidate : chain) {
            NetworkFailure failure = of(candidate);
            if (failure != NONE) {
                return new Classification(failure, candidate, chain,
                        candidate.getClass().getName() + (candidate.getMessage() == null ? "" : ": " + candidate.getMessage())
                                + " is a " + failure.name().toLowerCase(Locale.ROOT).replace('_', ' '));
            }
        }
        return new Classification(NONE, null, chain,
                t == null ? "nothing was thrown" : "no exception in the chain shows a network failure");
    }

    private static void walk(Throwable t, List<Throwable> chain, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        chain.add(t);
        walk(t.getCause(), chain, seen);
        for (Throwable suppressed : t.getSuppressed()) {
            walk(suppressed, chain, seen);
        }
    }

    private static NetworkFailure of(Throwable t) {
        String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        if (t instanceof UnknownHostException) {
            return UNKNOWN_HOST;
        }
        if (t instanceof EOFException) {
            return TRUNCATED;
        }
        if (t instanceof SocketTimeoutException && message.startsWith("connect timed out")) {
            return CONNECT_TIMEOUT;
        }
        if (t instanceof SocketTimeoutException && message.startsWith("read timed out")) {
            return READ_TIMEOUT;
        }
        if (t instanceof ConnectException && message.startsWith("connection refused")) {
            return CONNECTION_REFUSED;
        }
        if (message.startsWith("connection reset")) {
            return CONNECTION_RESET;
        }
        if (message.startsWith("connection timed out")) {
            return CONNECTION_TIMED_OUT;
        }
        if (message.startsWith("broken pipe")) {
            return BROKEN_PIPE;
        }
        return NONE;
    }
}
