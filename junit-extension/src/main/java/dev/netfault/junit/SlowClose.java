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
 * When a side closes, the test's fault listener passes the close on only after a delay: the
 * application sees the peer's end of stream (its read returning -1) that much later.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface SlowClose {

    /** The value of an attribute that is not set. */
    long UNSET = Long.MIN_VALUE;

    /** {@return the delay before a close is passed on, in {@link #unit()}, not negative} */
    long value();

    /** {@return the directions whose close is delayed; empty: both} */
    Direction[] direction() default {};

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
