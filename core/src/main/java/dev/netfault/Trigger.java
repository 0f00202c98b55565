package dev.netfault;

import java.time.Duration;
import java.util.Objects;

/**
 * When a fault fires on a connection. Triggers are immutable values.
 *
 * <p>The connection triggers ({@link #onAccept()}, {@link #afterBytes}, {@link #after}) fire at most
 * once per connection. The exchange triggers ({@link #onRequest}, {@link #afterResponse},
 * {@link #afterResponseEnd}, {@link #onRequestAfterIdle}) fire once for each request they select, and
 * {@link #afterIdle} once each time the connection falls idle; a terminal effect (reset, close,
 * stall) ends the connection at the first.
 *
 * <p><b>Exchanges.</b> netfault stays below the application protocol and follows the turns of the
 * conversation: a <em>request</em> (client turn) is the bytes the client sends after the server last
 * spoke, or since it connected; a <em>response</em> (server turn) is what the server sends after the
 * client last spoke. Bytes the server sends before the client's first request (an SMTP, MySQL or FTP
 * greeting) are that connection's greeting, exchange 0, not a response to any request. This holds for
 * protocols that take turns (HTTP/1.1 without pipelining, Redis, PostgreSQL, MySQL, SMTP, most RPC);
 * where it does not, the rule stays the same and predictable: pipelined requests the client sends
 * before the first answer are one request; an HTTP/2 connection or a stream where both sides talk at
 * once is cut into turns by whoever the listener happened to read last; a stand-alone listener never
 * answers, so all a client sends is its first request.
 *
 * @since 0.1
 */
public sealed interface Trigger permits Trigger.OnAccept, Trigger.AfterBytes, Trigger.AfterDuration, Trigger.OnRequest,
        Trigger.AfterResponse, Trigger.AfterResponseEnd, Trigger.AfterIdle {

    /** {@return a trigger that fires as soon as the listener accepts the connection, before any byte is relayed} */
    static OnAccept onAccept() {
        return OnAccept.INSTANCE;
    }

    /**
     * {@return a trigger that fires after exactly {@code bytes} bytes went through in {@code direction}}
     * The listener relays exactly that many bytes (not "somewhere in the next chunk") and fires before
     * the next byte.
     *
     * @param direction which stream to count
     * @param bytes the byte offset, not negative; 0 fires before the first byte of that direction
     */
    static AfterBytes afterBytes(Direction direction, long bytes) {
        return new AfterBytes(direction, bytes);
    }

    /**
     * {@return a trigger that fires once the connection has been open (accepted) for {@code duration},
     * whatever went through}
     *
     * @param duration the time since accept, not negative
     */
    static AfterDuration after(Duration duration) {
        return new AfterDuration(duration);
    }

    /**
     * {@return a trigger that fires when the client starts a selected request, before its first byte is
     * forwarded} The bytes that start the request are held while the effect fires. A reset or a close
     * (FIN) therefore swallows the request (the upstream never sees it) and the client, which has
     * already written it, reads a {@code SocketException: Connection reset} or the end of the stream; a
     * delay holds the request back; a stall freezes the connection with the request unsent; a latency,
     * bandwidth or slice effect applies from this request on.
     *
     * @param requests which requests; {@link Requests#all()} for every request
     */
    static OnRequest onRequest(Requests requests) {
        return new OnRequest(requests, Duration.ZERO);
    }

    /** {@return a trigger that fires on every request, before its first byte is forwarded; see {@link #onRequest(Requests)}} */
    static OnRequest onRequest() {
        return onRequest(Requests.all());
    }

    /**
     * {@return a trigger for the stale keep-alive race} It fires when the client starts a request on a
     * connection that has been idle (no byte read from or sent to the client) for at least
     * {@code idle}, counted from the last byte either way or, before any, from accept; before the
     * request's first byte is forwarded. With {@link Effect#close()} the client, having taken the
     * connection from its pool and written its request, reads the end of the stream (OkHttp:
     * "unexpected end of stream", Apache HttpClient 5: {@code NoHttpResponseException}); with {@link
     * Effect#reset()} it reads {@code SocketException: Connection reset}. The upstream never sees the
     * request. Deterministic: it is decided when the request arrives, not by a timer racing the client.
     *
     * @param idle how long the connection must have been idle, not negative; 0 for every request
     */
    static OnRequest onRequestAfterIdle(Duration idle) {
        return new OnRequest(Requests.all(), idle);
    }

    /**
     * {@return a trigger that fires once exactly {@code bytes} bytes of the response to a selected
     * request went to the client} The listener relays exactly that many bytes of it and fires before
     * the next. 0 fires when the server starts its response, before its first byte reaches the client.
     * A greeting (the server speaking before the first request) is no response; {@link #afterBytes}
     * reaches it.
     *
     * <p>Not on an echoing listener, whose echo is the client's own bytes.
     *
     * @param requests which requests' responses
     * @param bytes the offset into the response, not negative
     */
    static AfterResponse afterResponse(Requests requests, long bytes) {
        return new AfterResponse(requests, bytes);
    }

    /**
     * {@return a trigger that fires when the response to a selected request has ended} netfault does
     * not parse responses, so a response ends when the turn passes back: the client starts its next
     * request on the connection (the fault fires before that request's first byte is forwarded, so a
     * close or a reset loses it, as in {@link #onRequestAfterIdle}), or the client closes its side (the
     * fault fires before the client's FIN is passed on). The last response of a connection that the
     * client keeps open and idle never ends: aim at it with {@link #afterIdle}. A request the server
     * never answered has no response to end.
     *
     * <p>Not on an echoing listener, whose echo is the client's own bytes.
     *
     * @param requests which requests' responses
     */
    static AfterResponseEnd afterResponseEnd(Requests requests) {
        return new AfterResponseEnd(requests);
    }

    /**
     * {@return a trigger that fires once no byte has been read from or sent to the client for
     * {@code idle}} The idle time counts from accept, then from the last byte either way, as a server's
     * or a load balancer's idle timeout does: {@link Effect#close()} is a keep-alive timeout (the
     * pooled client finds the end of the stream when it next reads, or, if it checks, before it reuses
     * the connection), {@link Effect#reset()} a middlebox that forgets the connection. Bytes still
     * waiting in the listener (a latency) keep the connection busy. It fires again after each new idle
     * period.
     *
     * @param idle how long the connection must be idle, more than 0
     */
    static AfterIdle afterIdle(Duration idle) {
        return new AfterIdle(idle);
    }

    /** {@return a short human-readable form, such as {@code "after 100 bytes to the client"}} */
    String describe();

    /**
     * Fires as a selected request starts. See {@link Trigger#onRequest(Requests)} and
     * {@link Trigger#onRequestAfterIdle(Duration)}.
     *
     * @param requests which requests
     * @param idle only a request that starts after the connection was idle this long; 0: any
     */
    record OnRequest(Requests requests, Duration idle) implements Trigger {
        /**
         * Checks the parts.
         *
         * @param requests which requests, not null
         * @param idle the idle time before the request, not negative; 0 for any request
         * @throws IllegalArgumentException if {@code idle} is negative
         */
        public OnRequest {
            Objects.requireNonNull(requests, "requests");
            Objects.requireNonNull(idle, "idle");
            if (idle.isNegative()) {
                throw new IllegalArgumentException("an idle time must not be negative, but was " + idle.toMillis()
                        + " ms. Fix: give how long the connection must have been idle before the request (0 for any request)");
            }
        }

        /**
         * {@return this trigger for other requests}
         *
         * @param newRequests the requests it selects instead
         */
        public OnRequest on(Requests newRequests) {
            return new OnRequest(newRequests, idle);
        }

        /**
         * {@return this trigger, only for a request that starts after the connection was idle at least
         * {@code newIdle}}
         *
         * @param newIdle the idle time, not negative; 0 for any request
         */
        public OnRequest afterIdle(Duration newIdle) {
            return new OnRequest(requests, newIdle);
        }

        @Override
        public String describe() {
            return "on " + requests.describe() + (idle.isZero() ? "" : " after " + idle.toMillis() + "ms idle");
        }
    }

    /**
     * Fires at an offset into a selected request's response. See
     * {@link Trigger#afterResponse(Requests, long)}.
     *
     * @param requests which requests' responses
     * @param bytes the offset into the response, not negative
     */
    record AfterResponse(Requests requests, long bytes) implements Trigger {
        /**
         * Checks the parts.
         *
         * @param requests which requests' responses, not null
         * @param bytes the offset into the response, not negative
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public AfterResponse {
            Objects.requireNonNull(requests, "requests");
            if (bytes < 0) {
                throw new IllegalArgumentException("an offset into a response must not be negative, but was " + bytes
                        + ". Fix: give how many bytes of the response reach the client first (0: none)");
            }
        }

        @Override
        public String describe() {
            return bytes == 0 ? "as the response to " + requests.describe() + " starts"
                    : "after " + bytes + " bytes of the response to " + requests.describe();
        }
    }

    /**
     * Fires as a selected request's response ends. See {@link Trigger#afterResponseEnd(Requests)}.
     *
     * @param requests which requests' responses
     */
    record AfterResponseEnd(Requests requests) implements Trigger {
        /**
         * Rejects null requests.
         *
         * @param requests which requests' responses, not null
         */
        public AfterResponseEnd {
            Objects.requireNonNull(requests, "requests");
        }

        @Override
        public String describe() {
            return "after the response to " + requests.describe();
        }
    }

    /**
     * Fires on an idle connection. See {@link Trigger#afterIdle(Duration)}.
     *
     * @param idle how long the connection must be idle, more than 0
     */
    record AfterIdle(Duration idle) implements Trigger {
        /**
         * Checks the idle time.
         *
         * @param idle how long the connection must be idle, more than 0
         * @throws IllegalArgumentException if it is not more than 0
         */
        public AfterIdle {
            Objects.requireNonNull(idle, "idle");
            if (idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("an idle time must be more than 0, but was " + idle.toMillis()
                        + " ms. Fix: give how long the connection must be idle before the fault fires");
            }
        }

        @Override
        public String describe() {
            return "after " + idle.toMillis() + "ms idle";
        }
    }

    /** {@return whether this trigger follows the conversation's turns (requests and responses)} */
    default boolean isExchange() {
        return this instanceof OnRequest || this instanceof AfterResponse || this instanceof AfterResponseEnd;
    }

    /** Fires on accept. See {@link Trigger#onAccept()}. */
    record OnAccept() implements Trigger {
        static final OnAccept INSTANCE = new OnAccept();

        @Override
        public String describe() {
            return "on accept";
        }
    }

    /**
     * Fires at an exact byte offset. See {@link Trigger#afterBytes(Direction, long)}.
     *
     * @param direction which stream to count
     * @param bytes the offset, not negative
     */
    record AfterBytes(Direction direction, long bytes) implements Trigger {
        /**
         * Checks the parts.
         *
         * @param direction which stream to count, not null
         * @param bytes the offset, not negative
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public AfterBytes {
            Objects.requireNonNull(direction, "direction");
            if (bytes < 0) {
                throw new IllegalArgumentException("a byte offset must not be negative, but was " + bytes);
            }
        }

        @Override
        public String describe() {
            return "after " + bytes + " bytes " + direction.describe();
        }
    }

    /**
     * Fires after a time. See {@link Trigger#after(Duration)}.
     *
     * @param duration the time since accept, not negative
     */
    record AfterDuration(Duration duration) implements Trigger {
        /**
         * Checks the duration.
         *
         * @param duration the time since accept, not negative
         * @throws IllegalArgumentException if it is negative
         */
        public AfterDuration {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a trigger time must not be negative, but was " + duration.toMillis() + " ms");
            }
        }

        @Override
        public String describe() {
            return "after " + duration.toMillis() + "ms";
        }
    }
}
