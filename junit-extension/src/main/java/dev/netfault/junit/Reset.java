package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The test's fault listener aborts connections with a real RST (it closes the client's socket with
 * {@code SO_LINGER} 0) at the chosen point: on accept (the default), after exactly N bytes from or
 * to the client, or after a time; on every connection, the first N, or only the Nth.
 *
 * <p>Point the application at the listener, injected as a {@link dev.netfault.FaultListener}
 * parameter ({@code address()}, {@code port()}, {@code uri("http")}, {@code socketFactory()}). To put
 * the reset in front of a real server, give {@link #upstream()} or call
 * {@link dev.netfault.FaultListener#proxyTo} in {@code @BeforeEach}.
 *
 * <p>What the application sees (Linux, JDK 17 and 25):
 * <ul>
 *   <li>{@code Socket} read: {@code java.net.SocketException: Connection reset} (again on every
 *       later read); a first write: {@code SocketException: Connection reset by peer}, then
 *       {@code Broken pipe};</li>
 *   <li>{@code SocketChannel} read: {@code SocketException: Connection reset}; write:
 *       {@code IOException: Connection reset by peer};</li>
 *   <li>{@code java.net.http.HttpClient}: a race between {@code ConnectException: Connection reset
 *       by peer} and {@code IOException: HTTP/1.1 header parser received no bytes} caused by
 *       {@code Connection reset}; it retries an idempotent request once, on a new connection.</li>
 * </ul>
 * With a reset on accept, a connect with a timeout ({@code connect(address, millis)}, which polls
 * for the handshake) can itself fail with {@code SocketException: Connection reset by peer} when the
 * RST arrives before the JDK checks the connection (measured: about 1 in 10 on JDK 17, 1 in 4 on
 * JDK 25); a connect without a timeout returns first.
 *
 * <pre>{@code
 * @Test
 * @Reset(afterBytesToClient = 100, firstConnections = 1)
 * void retriesATruncatedResponse(FaultListener server) { ... }
 * }</pre>
 *
 * <p>Repeatable: several resets on one listener fire independently (the first to fire ends the
 * connection). The closest declaration wins: resets on the method replace those on the class.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Resets.class)
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface Reset {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

    /**
     * Reset after exactly this many bytes from the client reached the upstream (or were read).
     *
     * @return the byte offset from the client; {@link #UNSET} (the default) if not used
     */
    long afterBytesFromClient() default UNSET;

    /**
     * Reset after exactly this many bytes were sent to the client. Needs an upstream. Exact while the
     * client's receive buffer can hold what is in flight (measured exact up to 100 KB with a client
     * that reads): a RST makes the kernel discard data the client has not acknowledged yet, so with a
     * client that stops reading, fewer bytes arrive.
     *
     * @return the byte offset to the client; {@link #UNSET} (the default) if not used
     */
    long afterBytesToClient() default UNSET;

    /**
     * Reset this long after the connection was accepted, in {@link #unit()}.
     *
     * @return the time since accept, in {@link #unit()}; {@link #UNSET} (the default) if not used
     */
    long after() default UNSET;

    /** {@return the unit of {@link #after()}} */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

    /**
     * Reset only the first N connections (in accept order); 0 means every connection.
     *
     * @return how many connections, from the first; 0 (the default) if not used
     */
    int firstConnections() default 0;

    /**
     * Reset only the Nth connection (1 is the first); 0 means every connection.
     *
     * @return the connection's number, from 1; 0 (the default) if not used
     */
    int nthConnection() default 0;

    /**
     * Reset only every Nth connection (the Nth, the 2Nth, ...); 0 means every connection.
     *
     * @return N, at least 1; 0 (the default) if not used
     */
    int everyNthConnection() default 0;

    /**
     * Reset each connection with this probability, from 0 to 1, drawn from the test's seed (reported
     * when the test fails; replay with the configuration parameter {@code netfault.seed}); negative:
     * every connection.
     *
     * @return the probability, from 0 to 1; negative (the default) if not used
     */
    double connectionProbability() default -1;

    /**
     * Only the first N requests across the listener (in the order they start, on any connection),
     * then the later ones pass: "fail twice, then recover". 0: not by request. With no trigger
     * attribute, the fault fires as each selected request starts, before it is forwarded. See the
     * README section "Faults per request and idle connections".
     *
     * @return how many requests, from the first across the listener; 0 (the default) if not used
     */
    int firstRequests() default 0;

    /**
     * Only the Nth request across the listener (1 is the first); 0: not by request.
     *
     * @return the request's number across the listener, from 1; 0 (the default) if not used
     */
    int nthRequest() default 0;

    /**
     * Only every Nth request across the listener (the Nth, the 2Nth, ...); 0: not by request.
     *
     * @return N, at least 1; 0 (the default) if not used
     */
    int everyNthRequest() default 0;

    /**
     * Each request with this probability, from 0 to 1, drawn from the test's seed and the request's
     * number (reported when the test fails; replay with {@code netfault.seed}); negative: not by request.
     *
     * @return the probability, from 0 to 1; negative (the default) if not used
     */
    double requestProbability() default -1;

    /**
     * Only the Nth request of each connection (2: the first reuse of a pooled connection); 0: not by request.
     *
     * @return the request's number on its connection, from 1; 0 (the default) if not used
     */
    int nthRequestOnConnection() default 0;

    /**
     * Fire after exactly this many bytes of the response to each selected request (every request
     * when none is selected) reached the client; 0: as the response starts. Needs an upstream (or a target).
     *
     * @return the offset into each selected response, in bytes; {@link #UNSET} (the default) if not used
     */
    long afterResponseBytes() default UNSET;

    /**
     * Fire when the response to each selected request (every request when none is selected) has
     * ended: the client starts its next request on the connection, or closes its side.
     *
     * @return whether the fault fires as each selected response ends (false by default)
     */
    boolean afterResponseEnd() default false;

    /**
     * Fire once a connection has been idle (no byte either way) this long, in {@link #unit()}, and
     * again after each new idle period: a server's or load balancer's keep-alive timeout.
     *
     * @return the idle time, in {@link #unit()}; {@link #UNSET} (the default) if not used
     */
    long afterIdle() default UNSET;

    /**
     * The stale keep-alive race: fire as a (selected) request starts on a connection that was idle
     * at least this long, in {@link #unit()}, before the request is forwarded, so it is lost in flight.
     *
     * @return the idle time before the request, in {@link #unit()}; {@link #UNSET} (the default) if not used
     */
    long idleBeforeRequest() default UNSET;

    /** {@return the real server to relay to, as {@code host:port}; empty for a stand-alone listener} */
    String upstream() default "";

    /**
     * The application's own connections to aim at, {@code "host:port"}, {@code "host"} or
     * {@code ":port"}: netfault's socket agent routes them into the test's fault listener, which
     * relays to the real target (when it has a port), with no change to the application. Empty: the
     * application connects to the listener itself.
     *
     * @return the target, {@code "host:port"}, {@code "host"} or {@code ":port"}; empty (the default) if not used
     */
    String target() default "";
}
