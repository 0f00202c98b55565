package dev.netfault.junit;

import dev.netfault.Direction;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The test's fault listener relays at most a number of bytes per second, per direction: a slow link.
 *
 * <p>What the application sees: transfers take as long as the bandwidth says (1 MiB at 100 KiB/s:
 * about 10 s); a read timeout longer than a chunk's delay never fires, a request timeout may.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface Bandwidth {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

    /** {@return the bandwidth, in bytes per second, at least 1} */
    long bytesPerSecond();

    /** {@return the directions limited; empty: both} */
    Direction[] direction() default {};

    /**
     * Start after exactly this many bytes from the client; unset (with the others): on accept.
     *
     * @return the byte offset from the client; {@link #UNSET} (the default) if not used
     */
    long afterBytesFromClient() default UNSET;

    /**
     * Start after exactly this many bytes were sent to the client. Needs an upstream (or a target).
     *
     * @return the byte offset to the client; {@link #UNSET} (the default) if not used
     */
    long afterBytesToClient() default UNSET;

    /**
     * Start this long after accept, in {@link #unit()}.
     *
     * @return the time since accept, in {@link #unit()}; {@link #UNSET} (the default) if not used
     */
    long after() default UNSET;

    /**
     * Only the first N connections, in accept order; 0: every connection.
     *
     * @return how many connections, from the first; 0 (the default) if not used
     */
    int firstConnections() default 0;

    /**
     * Only the Nth connection (1 is the first); 0: every connection.
     *
     * @return the connection's number, from 1; 0 (the default) if not used
     */
    int nthConnection() default 0;

    /**
     * Only every Nth connection (the Nth, the 2Nth, ...); 0: every connection.
     *
     * @return N, at least 1; 0 (the default) if not used
     */
    int everyNthConnection() default 0;

    /**
     * Each connection with this probability, from 0 to 1, drawn from the test's seed (reported when
     * the test fails; replay with the configuration parameter {@code netfault.seed}); negative: every connection.
     *
     * @return the probability, from 0 to 1; negative (the default) if not used
     */
    double connectionProbability() default -1;

    /** {@return the unit of this annotation's times} */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

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
     * The application's own connections to aim at ({@code "host:port"}, {@code "host"} or
     * {@code ":port"}), through netfault's socket agent; empty: the application connects to the listener.
     *
     * @return the target, {@code "host:port"}, {@code "host"} or {@code ":port"}; empty (the default) if not used
     */
    String target() default "";
}
