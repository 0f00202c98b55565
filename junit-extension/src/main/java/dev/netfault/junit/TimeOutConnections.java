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
 * The application's established connections to a target die with {@code ETIMEDOUT} a while after
 * they were opened, as when the peer vanishes and the kernel stops retransmitting (netfault's socket
 * agent; loopback cannot produce this for real). The first read or write after that point fails, a
 * read blocked at that moment fails at once; later reads return -1 and writes fail with
 * {@code Broken pipe}, as on a real dead connection.
 *
 * <p>What the application sees (JDK 17 and 25): {@code Socket} read and write:
 * {@code java.net.SocketException: Connection timed out}; {@code SocketChannel}:
 * {@code java.io.IOException: Connection timed out}.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface TimeOutConnections {

    /** {@return the target: {@code "host:port"}, {@code "host"} (any port) or {@code ":port"} (any host)} */
    String value();

    /** {@return how long after it was opened a connection dies, in {@link #unit()}; 0 fails its first read or write} */
    long after() default 0;

    /** {@return the unit of {@link #after()}} */
    TimeUnit unit() default TimeUnit.MILLISECONDS;
}
