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

    /** The bandwidth, in bytes per second, at least 1. */
    long bytesPerSecond();

    /** The directions limited; empty: both. */
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
