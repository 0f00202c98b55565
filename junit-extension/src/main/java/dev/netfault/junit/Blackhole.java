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
 * From the chosen point on, the test's fault listener reads the data and drops it: the connection
 * looks alive, nothing more arrives; it closes with a FIN after {@link #closeAfter()}, or never.
 *
 * <p>What the application sees: writes succeed; reads wait until the read timeout
 * ({@code SocketTimeoutException: Read timed out}), or return -1 once the blackhole closes.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface Blackhole {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

    /** Close with a FIN this long after the blackhole starts, in {@link #unit()}; unset: never. */
    long closeAfter() default UNSET;

    /** The directions dropped; empty: both. */
    Direction[] direction() default {};

    /** Start after exactly this many bytes from the client; unset (with the others): on accept. */
    long afterBytesFromClient() default UNSET;

    /** Start after exactly this many bytes were sent to the client. Needs an upstream (or a target). */
    long afterBytesToClient() default UNSET;

    /** Start this long after accept, in {@link #unit()}. */
    long after() default UNSET;

    /** Only the first N connections, in accept order; 0: every connection. */
    int firstConnections() default 0;

    /** Only the Nth connection (1 is the first); 0: every connection. */
    int connection() default 0;

    /** Only every Nth connection (the Nth, the 2Nth, ...); 0: every connection. */
    int everyNthConnection() default 0;

    /**
     * Each connection with this probability, from 0 to 1, drawn from the test's seed (reported when
     * the test fails; replay with the configuration parameter {@code netfault.seed}); negative: every connection.
     */
    double probability() default -1;

    /** The unit of this annotation's times. */
    TimeUnit unit() default TimeUnit.MILLISECONDS;

    /** The real server to relay to, as {@code host:port}; empty for a stand-alone listener. */
    String upstream() default "";

    /**
     * The application's own connections to aim at ({@code "host:port"}, {@code "host"} or
     * {@code ":port"}), through netfault's socket agent; empty: the application connects to the listener.
     */
    String target() default "";
}
