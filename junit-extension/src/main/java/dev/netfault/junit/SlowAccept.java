package dev.netfault.junit;

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
 * The test's fault listener accepts late: one connection per {@link #delay()}, or
 * {@linkplain #neverAccept() never}, with a small accept queue that really fills.
 *
 * <p>What the application sees (Linux, JDK 17 and 25), with the default backlog of 1:
 * <ul>
 *   <li>while the queue has room (two connections), the kernel completes the handshake:
 *       {@code connect()} succeeds at once, writes succeed, and the first read waits until the
 *       listener accepts ({@code SocketTimeoutException: Read timed out} if the client's read
 *       timeout is shorter);</li>
 *   <li>once the queue is full, the kernel drops further SYNs: {@code connect(address, 500)} throws
 *       {@code SocketTimeoutException: Connect timed out} after 500 ms; {@code HttpClient} with a
 *       {@code connectTimeout} throws {@code HttpConnectTimeoutException: HTTP connect timed out}; a
 *       connect without a timeout would wait about 130 s (netfault's hang guard, see
 *       {@link NetFaultConfig#HANG_TIMEOUT_PROPERTY_NAME}, ends the test long before).</li>
 * </ul>
 * With {@link #fillAcceptQueue()} the queue is full before the test starts, so the very first connect
 * times out: a real connect timeout, with no unroutable address.
 *
 * <pre>{@code
 * @Test
 * @SlowAccept(neverAccept = true, fillAcceptQueue = true)
 * void connectTimesOut(FaultListener server) { ... }
 * }</pre>
 *
 * <p>Accepted connections are served as usual: relayed to {@link #upstream()}, or read and left
 * unanswered by a stand-alone listener; {@link Reset} applies to them.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface SlowAccept {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

    /** The delay in effect when neither {@link #delay()} nor {@link #neverAccept()} is given: 1 second. */
    long DEFAULT_DELAY_MILLIS = 1000;

    /**
     * Accept each pending connection this long after noticing it (or after the previous accept),
     * in {@link #unit()}: one connection per delay. Default {@value #DEFAULT_DELAY_MILLIS} ms.
     *
     * @return the delay, in {@link #unit()}; {@link #UNSET} (the default): {@value #DEFAULT_DELAY_MILLIS} ms unless {@link #neverAccept()}
     */
    long delay() default UNSET;

    /** {@return the unit of {@link #delay()}} */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

    /**
     * Never accept at all. Cannot be combined with {@link #delay()}.
     *
     * @return whether the listener never accepts (false by default)
     */
    boolean neverAccept() default false;

    /** {@return the listen backlog: Linux queues {@code backlog + 1} connections, then drops SYNs} */
    int backlog() default 1;

    /**
     * Fill the accept queue with netfault's own connections before the test: the first connect times out.
     *
     * @return whether the accept queue is filled before the test (false by default)
     */
    boolean fillAcceptQueue() default false;

    /** {@return the real server to relay accepted connections to, as {@code host:port}; empty for a stand-alone listener} */
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
