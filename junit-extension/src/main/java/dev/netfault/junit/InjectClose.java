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
 * The test's fault listener closes connections with a FIN (an orderly close) at the chosen point:
 * on accept, after exactly N bytes from or to the client (a response cut short), or after a time.
 *
 * <p>What the application sees: its read returns -1 (end of stream), with no reset, even if it had
 * sent data the listener did not read; {@code HttpClient}: {@code IOException} such as
 * {@code fixed content-length: 135, bytes received: 62} for a cut response, or {@code HTTP/1.1 header
 * parser received no bytes}.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface InjectClose {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

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
