package dev.netfault.internal;

import dev.netfault.Classification;
import dev.netfault.NetworkFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies a throwable as a {@link NetworkFailure}: walks its causes and suppressed exceptions
 * (each once, cycle-safe, at most {@value #MAX_CHAIN}), asks the {@link #RULES table of rules} about
 * each, and picks the best verdict.
 *
 * <p>Precedence: a verdict has a {@link Rank}. {@link Rank#CLIENT_TIMER} (a client's own timer that
 * says which phase timed out: {@code HttpConnectTimeoutException}, Netty's and Apache's
 * {@code ConnectTimeoutException}, Lettuce's {@code RedisCommandTimeoutException}, gRPC's
 * {@code DEADLINE_EXCEEDED}) beats {@link Rank#JDK} (what the JDK or Netty's native transport made of
 * an errno, a JDK timeout, a JDK end of stream, a JDK resolver failure), which beats
 * {@link Rank#WRAPPER} (a client's wrapper judged by its message, SQLState or error code). Within a
 * rank a verdict on the thrown exception's own cause chain beats one found only through suppressed
 * exceptions (OkHttp throws a write's {@code Connection reset by peer} with the read's later
 * end of stream suppressed: a reset), then the root-most (deepest) wins, then the first walked.
 *
 * <p>Everything is recognised by class name (superclasses included; client classes by simple name,
 * so shaded copies match too) and message: no client is a dependency.
 */
public final class Classifier {

    /** The longest chain walked; anything beyond is ignored. */
    static final int MAX_CHAIN = 256;

    /** How much a verdict is trusted; a higher rank beats a lower one wherever it is in the chain. */
    enum Rank {
        /** Says nothing is wrong with the network; only chosen when nothing else is found. */
        NOT_NETWORK,
        /** A client's wrapper judged by its message, SQLState or vendor code. */
        WRAPPER,
        /** The JDK's (or Netty native's) own account of an errno, timeout, end of stream or lookup. */
        JDK,
        /** A client's own timer, which knows whether it was the connect or the request that took too long. */
        CLIENT_TIMER
    }

    /** One rule's answer about one throwable. */
    record Verdict(NetworkFailure failure, Rank rank, String why) {
    }

    /** One row of the table: {@code null} when it does not apply. */
    @FunctionalInterface
    interface Rule {
        Verdict apply(Throwable t);
    }

    private static final Pattern ERRNO = Pattern.compile("error\\((-?\\d+)\\)");
    private static final Pattern TIME_UNIT = Pattern.compile("^\\d+ (NANOSECONDS|MICROSECONDS|MILLISECONDS|SECONDS|MINUTES)$");
    private static final Pattern HIKARI_STATS = Pattern.compile("total=(\\d+), active=(\\d+)");
    private static final Pattern CONNECTING = Pattern.compile(
            "finishConnect\\(|connect\\(|ConnectException|(?i:connect to |unable to connect|failed to connect)");

    /** The rules, in the order they are asked about each throwable; the first that answers decides for it. */
    static final List<Rule> RULES = List.of(
            // Client timers: they know which phase timed out.
            t -> isA(t, "java.net.http.HttpConnectTimeoutException")
                    ? verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.CLIENT_TIMER, "HttpClient's connectTimeout") : null,
            t -> isA(t, "java.net.http.HttpTimeoutException")
                    ? verdict(NetworkFailure.READ_TIMEOUT, Rank.CLIENT_TIMER, "HttpClient's request timeout") : null,
            t -> named(t, "ConnectTimeoutException")
                    ? verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.CLIENT_TIMER, "the client's connect timeout (Netty, Apache HttpClient 5)") : null,
            t -> named(t, "ReadTimeoutException")
                    ? verdict(NetworkFailure.READ_TIMEOUT, Rank.CLIENT_TIMER, "Netty's read timeout handler") : null,
            t -> named(t, "RedisCommandTimeoutException")
                    ? verdict(NetworkFailure.READ_TIMEOUT, Rank.CLIENT_TIMER, "Lettuce's command timeout") : null,
            Classifier::grpcDeadline,
            // The JDK's own account.
            t -> isA(t, "java.net.UnknownHostException")
                    ? verdict(NetworkFailure.UNKNOWN_HOST, Rank.JDK, "the name did not resolve") : null,
            t -> isA(t, "java.nio.channels.UnresolvedAddressException")
                    ? verdict(NetworkFailure.UNKNOWN_HOST, Rank.JDK, "a channel was given an address that did not resolve") : null,
            Classifier::socketTimeout,
            t -> isA(t, "java.net.ConnectException") && t.getMessage() == null
                    && t.getCause() != null && isA(t.getCause(), "java.nio.channels.ClosedChannelException")
                    ? verdict(NetworkFailure.CONNECTION_REFUSED, Rank.JDK, "HttpClient's refusal: a null message caused by ClosedChannelException") : null,
            t -> errnoLevel(t) ? errnoMessage(t, Rank.JDK) : null,
            t -> errnoLevel(t) ? nativeErrno(t) : null,
            t -> isJdk(t) && isA(t, "java.io.IOException") ? jdkClientMessage(t) : null,
            t -> isA(t, "java.io.EOFException")
                    ? verdict(NetworkFailure.TRUNCATED, Rank.JDK, "end of stream before the expected data") : null,
            t -> isA(t, "java.net.NoRouteToHostException")
                    ? verdict(NetworkFailure.NONE, Rank.NOT_NETWORK, "no route to the host: none of the kinds fits (EHOSTUNREACH)") : null,
            // Clients' wrappers.
            t -> wrapper(t) ? errnoMessage(t, Rank.WRAPPER) : null,
            t -> (wrapper(t) || isA(t, "java.io.IOException")) && lower(t).contains("unexpected end of stream")
                    ? verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER, "the client read end of stream before the response was complete (OkHttp, Jedis)") : null,
            t -> (named(t, "RedisConnectionException") || named(t, "RedisException"))
                    && (lower(t).contains("connection closed prematurely") || lower(t).equals("connection closed"))
                    ? verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER, "Lettuce: the connection ended without an error (a FIN)") : null,
            t -> isA(t, "java.lang.IllegalStateException") && "RedisHandshakeHandler not registered".equals(t.getMessage())
                    ? verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER,
                            "Lettuce: the connection closed before its handshake began (the channel's handshake handler was already gone)") : null,
            t -> named(t, "ConnectionClosedException")
                    ? verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER, "Apache HttpClient 5: the connection closed before the message was complete") : null,
            t -> named(t, "NoHttpResponseException")
                    ? verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER, "Apache HttpClient 5: the server closed without a response") : null,
            Classifier::hikari,
            Classifier::h2,
            Classifier::sqlState,
            Classifier::grpcWithoutCause);

    private Classifier() {
    }

    /** {@return the classification of {@code t}; NONE for null} */
    public static Classification classify(Throwable t) {
        if (t == null) {
            return new Classification(NetworkFailure.NONE, null, List.of(), "nothing was thrown");
        }
        List<Throwable> chain = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        List<Boolean> secondary = new ArrayList<>();
        walk(t, 0, false, chain, depths, secondary, Collections.newSetFromMap(new IdentityHashMap<>()));

        Throwable best = null;
        Verdict bestVerdict = null;
        int bestDepth = -1;
        boolean bestSecondary = true;
        Verdict note = null;
        for (int i = 0; i < chain.size(); i++) {
            Throwable candidate = chain.get(i);
            Verdict verdict = judge(candidate);
            if (verdict == null) {
                continue;
            }
            if (verdict.failure() == NetworkFailure.NONE) {
                if (note == null) {
                    note = new Verdict(NetworkFailure.NONE, Rank.NOT_NETWORK, describe(candidate, verdict.why()));
                }
                continue;
            }
            int depth = depths.get(i);
            boolean isSecondary = secondary.get(i);
            int byRank = bestVerdict == null ? 1 : verdict.rank().compareTo(bestVerdict.rank());
            if (byRank > 0
                    || (byRank == 0 && !isSecondary && bestSecondary)
                    || (byRank == 0 && isSecondary == bestSecondary && depth > bestDepth)) {
                best = candidate;
                bestVerdict = verdict;
                bestDepth = depth;
                bestSecondary = isSecondary;
            }
        }
        if (bestVerdict == null) {
            String reason = note != null ? note.why()
                    : "no network failure in the chain (" + chain.size() + " throwable" + (chain.size() == 1 ? "" : "s") + ")";
            return new Classification(NetworkFailure.NONE, null, chain, reason);
        }
        return new Classification(bestVerdict.failure(), best, chain, describe(best, bestVerdict.why()));
    }

    /** {@return the first rule's verdict about {@code t} alone, or null} */
    static Verdict judge(Throwable t) {
        for (Rule rule : RULES) {
            Verdict verdict = rule.apply(t);
            if (verdict != null) {
                return verdict;
            }
        }
        return null;
    }

    /**
     * Depth first: the throwable, its cause chain, then its suppressed exceptions; each once. A
     * throwable reached through a suppressed exception is secondary: a failure that came after (or
     * beside) the one thrown.
     */
    private static void walk(Throwable t, int depth, boolean isSecondary, List<Throwable> chain, List<Integer> depths,
            List<Boolean> secondary, Set<Throwable> seen) {
        if (t == null || chain.size() >= MAX_CHAIN || !seen.add(t)) {
            return;
        }
        chain.add(t);
        depths.add(depth);
        secondary.add(isSecondary);
        walk(t.getCause(), depth + 1, isSecondary, chain, depths, secondary, seen);
        for (Throwable suppressed : t.getSuppressed()) {
            walk(suppressed, depth + 1, true, chain, depths, secondary, seen);
        }
    }

    private static String describe(Throwable t, String why) {
        return t.getClass().getSimpleName() + ": " + t.getMessage() + " (" + why + ")";
    }

    private static Verdict verdict(NetworkFailure failure, Rank rank, String why) {
        return new Verdict(failure, rank, why);
    }

    // Rules that need more than a line.

    private static Verdict socketTimeout(Throwable t) {
        if (!isA(t, "java.net.SocketTimeoutException")) {
            return null;
        }
        String message = String.valueOf(t.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("accept timed out")) {
            return verdict(NetworkFailure.NONE, Rank.NOT_NETWORK, "a server's own accept timeout, not a client's failure");
        }
        if (lower.contains("connect")) {
            return verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.JDK, "the connect timeout fired");
        }
        if (lower.contains("read timed out")) {
            return verdict(NetworkFailure.READ_TIMEOUT, Rank.JDK, "the socket's soTimeout fired: the peer was silent");
        }
        if (message.equals("timeout")) {
            return verdict(NetworkFailure.READ_TIMEOUT, Rank.JDK, "OkHttp's (okio's) read or write timeout fired");
        }
        if (TIME_UNIT.matcher(message).matches()) {
            return verdict(NetworkFailure.READ_TIMEOUT, Rank.JDK, "Apache HttpClient 5's async socket timeout fired");
        }
        return verdict(NetworkFailure.READ_TIMEOUT, Rank.JDK, "a socket timeout that does not say connect");
    }

    /** JDK classes, and Netty's native transport exceptions, which carry the errno's own text. */
    private static boolean errnoLevel(Throwable t) {
        return isJdk(t) && isA(t, "java.io.IOException")
                || named(t, "NativeIoException") || named(t, "AnnotatedConnectException")
                || named(t, "AnnotatedSocketException") || named(t, "AnnotatedNoRouteToHostException");
    }

    /** A client's exception that may describe a network failure in its message. */
    private static boolean wrapper(Throwable t) {
        return !isJdk(t) && (isA(t, "java.io.IOException") || isA(t, "java.sql.SQLException") || t instanceof RuntimeException)
                || isA(t, "java.sql.SQLException");
    }

    private static Verdict errnoMessage(Throwable t, Rank rank) {
        String message = t.getMessage();
        if (message == null) {
            return null;
        }
        if (message.contains("Connection reset by peer")) {
            return verdict(NetworkFailure.CONNECTION_RESET, rank, rank == Rank.JDK && isJdk(t)
                    ? "a write (or a channel's read) after a reset: ECONNRESET" : "ECONNRESET");
        }
        if (message.contains("Connection reset")) {
            return verdict(NetworkFailure.CONNECTION_RESET, rank, rank == Rank.JDK && isJdk(t)
                    ? "the JDK's read after a reset" : "a reset, as the JDK words it");
        }
        if (message.contains("Broken pipe")) {
            return verdict(NetworkFailure.BROKEN_PIPE, rank, "a write after the connection was gone: EPIPE");
        }
        if (message.contains("Connection refused")) {
            return verdict(NetworkFailure.CONNECTION_REFUSED, rank, "nothing listened: ECONNREFUSED");
        }
        if (message.contains("Connection timed out")) {
            return connecting(t)
                    ? verdict(NetworkFailure.CONNECT_TIMEOUT, rank, "ETIMEDOUT from a connect without a timeout of its own")
                    : verdict(NetworkFailure.CONNECTION_TIMED_OUT, rank, "ETIMEDOUT on an established connection");
        }
        return null;
    }

    private static boolean connecting(Throwable t) {
        return isA(t, "java.net.ConnectException") || named(t, "ConnectException")
                || named(t, "AnnotatedConnectException") || named(t, "HttpHostConnectException")
                || CONNECTING.matcher(String.valueOf(t.getMessage())).find();
    }

    /** Netty's native transport: {@code ...failed with error(-104): ...} when the text is missing. */
    private static Verdict nativeErrno(Throwable t) {
        Matcher errno = ERRNO.matcher(String.valueOf(t.getMessage()));
        if (!errno.find()) {
            return null;
        }
        switch (Math.abs(Integer.parseInt(errno.group(1)))) {
            case 104:
                return verdict(NetworkFailure.CONNECTION_RESET, Rank.JDK, "Netty native: ECONNRESET");
            case 32:
                return verdict(NetworkFailure.BROKEN_PIPE, Rank.JDK, "Netty native: EPIPE");
            case 111:
                return verdict(NetworkFailure.CONNECTION_REFUSED, Rank.JDK, "Netty native: ECONNREFUSED");
            case 110:
                return connecting(t)
                        ? verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.JDK, "Netty native: ETIMEDOUT on connect")
                        : verdict(NetworkFailure.CONNECTION_TIMED_OUT, Rank.JDK, "Netty native: ETIMEDOUT on an established connection");
            default:
                return null;
        }
    }

    /** The JDK's HTTP clients' own words. */
    private static Verdict jdkClientMessage(Throwable t) {
        String message = String.valueOf(t.getMessage());
        if (message.contains("Unexpected end of file from server")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.JDK, "HttpURLConnection: the server closed before a response");
        }
        if (message.contains("Premature EOF")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.JDK, "HttpURLConnection: the body ended early");
        }
        if (message.startsWith("fixed content-length:")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.JDK, "HttpClient: the body ended before its Content-Length");
        }
        if (message.contains("header parser received no bytes")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.JDK, "HttpClient: the connection ended before a response");
        }
        if (message.equals("Error writing to server")) {
            return verdict(NetworkFailure.BROKEN_PIPE, Rank.JDK, "HttpURLConnection: its write failed (it drops the cause)");
        }
        return null;
    }

    /** HikariCP's pool timeout. With a cause the cause decides (it is deeper); without, see the README. */
    private static Verdict hikari(Throwable t) {
        if (!isA(t, "java.sql.SQLException") || !String.valueOf(t.getMessage()).contains("request timed out after")) {
            return null;
        }
        Matcher stats = HIKARI_STATS.matcher(t.getMessage());
        if (t.getCause() == null && stats.find() && Integer.parseInt(stats.group(1)) > 0
                && stats.group(1).equals(stats.group(2))) {
            return verdict(NetworkFailure.NONE, Rank.NOT_NETWORK,
                    "HikariCP's pool was exhausted (every connection in use): not a network failure");
        }
        return verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.WRAPPER,
                "HikariCP could not get a connection within connectionTimeout");
    }

    /** H2's client: vendor codes, also its SQLState. */
    private static Verdict h2(Throwable t) {
        if (!isA(t, "java.sql.SQLException")) {
            return null;
        }
        int code = ((java.sql.SQLException) t).getErrorCode();
        String state = ((java.sql.SQLException) t).getSQLState();
        if (code == 90067 || "90067".equals(state)) {
            return verdict(NetworkFailure.CONNECTION_RESET, Rank.WRAPPER, "H2 90067: the connection broke (H2 drops the errno)");
        }
        if (code == 90121 || "90121".equals(state)) {
            return verdict(NetworkFailure.CONNECTION_RESET, Rank.WRAPPER, "H2 90121: the session was already closed by a broken connection");
        }
        if (code == 90028 || "90028".equals(state)) {
            return verdict(NetworkFailure.NONE, Rank.NOT_NETWORK, "H2 90028 (an I/O error) without network evidence: it is also used for files");
        }
        return null;
    }

    /** JDBC's SQLState class 08 without a deciding cause. */
    private static Verdict sqlState(Throwable t) {
        if (!isA(t, "java.sql.SQLException")) {
            return null;
        }
        String state = ((java.sql.SQLException) t).getSQLState();
        if (state == null || !state.startsWith("08")) {
            return null;
        }
        String lower = lower(t);
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return verdict(state.equals("08001") ? NetworkFailure.CONNECT_TIMEOUT : NetworkFailure.READ_TIMEOUT,
                    Rank.WRAPPER, "SQLState " + state + " and the message says it timed out");
        }
        switch (state) {
            case "08001":
                return verdict(NetworkFailure.CONNECTION_REFUSED, Rank.WRAPPER,
                        "SQLState 08001 (the connection could not be made) without a cause: taken as a refusal");
            case "08004":
                return verdict(NetworkFailure.NONE, Rank.NOT_NETWORK, "SQLState 08004: the server rejected the connection (not the network)");
            default:
                return verdict(NetworkFailure.CONNECTION_RESET, Rank.WRAPPER,
                        "SQLState " + state + " (the connection failed in use) without a cause: taken as a reset");
        }
    }

    private static Verdict grpcDeadline(Throwable t) {
        if (!grpc(t) || !String.valueOf(t.getMessage()).startsWith("DEADLINE_EXCEEDED")) {
            return null;
        }
        // gRPC 1.85 says was_still_waiting when the call never got a stream (no connection was ready); older ones waiting_for_connection
        return t.getMessage().contains("was_still_waiting") || t.getMessage().contains("waiting_for_connection")
                ? verdict(NetworkFailure.CONNECT_TIMEOUT, Rank.CLIENT_TIMER, "gRPC's deadline passed while the call still waited for a connection")
                : verdict(NetworkFailure.READ_TIMEOUT, Rank.CLIENT_TIMER, "gRPC's deadline passed with the call's stream open");
    }

    private static Verdict grpcWithoutCause(Throwable t) {
        if (!grpc(t) || t.getCause() != null) {
            return null;
        }
        String message = String.valueOf(t.getMessage());
        if (!message.startsWith("UNAVAILABLE")) {
            return null;
        }
        if (message.contains("Network closed for unknown reason")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER,
                    "gRPC: the connection ended without an error (a FIN, or a reset its write consumed; a reset it reads comes as 'io exception' with the errno as cause)");
        }
        if (message.contains("Connection closing while performing protocol negotiation")) {
            return verdict(NetworkFailure.TRUNCATED, Rank.WRAPPER,
                    "gRPC: the connection ended without an error while it set up HTTP/2");
        }
        if (message.contains("Keepalive failed")) {
            return verdict(NetworkFailure.CONNECTION_TIMED_OUT, Rank.WRAPPER,
                    "gRPC's keepalive ping went unanswered: the established connection is gone");
        }
        if (message.contains("Unable to resolve host")) {
            return verdict(NetworkFailure.UNKNOWN_HOST, Rank.WRAPPER, "gRPC's name resolver failed");
        }
        return null;
    }

    private static boolean grpc(Throwable t) {
        return named(t, "StatusRuntimeException") || named(t, "StatusException");
    }

    // Class names.

    private static boolean isJdk(Throwable t) {
        String name = t.getClass().getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("sun.") || name.startsWith("jdk.");
    }

    /** {@return whether {@code t}'s class or a superclass is {@code className}} */
    static boolean isA(Throwable t, String className) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(className)) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether {@code t}'s class or a superclass has the simple name {@code simpleName}, in any package (shaded too)} */
    static boolean named(Throwable t, String simpleName) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            String name = c.getName();
            if (name.equals(simpleName) || name.endsWith("." + simpleName) || name.endsWith("$" + simpleName)) {
                return true;
            }
        }
        return false;
    }

    private static String lower(Throwable t) {
        return String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    }
}
