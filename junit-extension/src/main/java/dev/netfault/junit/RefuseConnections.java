package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The application's own connections to a target are refused by the kernel, as when the service is
 * down: netfault's socket agent sends them to a loopback port bound with nothing listening, so the
 * refusal is a real RST. No change to the application.
 *
 * <p>What the application sees (Linux, JDK 17 and 25): {@code java.net.ConnectException:
 * Connection refused}, exactly as from a real refusal (a channel is closed afterwards; a
 * {@code Socket} reports {@code isClosed()} only from JDK 24 on); {@code java.net.http.HttpClient}:
 * {@code ConnectException} with a null message. A target name that does not resolve in the test
 * (a production host name) resolves to a loopback stand-in while the test runs, so the application
 * sees the refusal, not an {@code UnknownHostException}.
 *
 * <pre>{@code
 * @Test
 * @RefuseConnections("inventory.internal:8080")
 * void fallsBackToTheCache() { ... }
 * }</pre>
 *
 * <p>To refuse connections to the test's own fault listener (and bring it up during the test), use
 * {@link ListenerDown}.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(RefuseConnections.All.class)
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface RefuseConnections {

    /**
     * The target: {@code "host:port"}, {@code "host"} (any port) or {@code ":port"} (any host).
     * Required; for the test's own fault listener, use {@link ListenerDown}.
     *
     * @return the target, such as {@code "db.internal:5432"}
     */
    String value();

    /**
     * The container of repeated {@link RefuseConnections}; the compiler writes it for you.
     */
    @Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @ExtendWith(NetFaultExtension.class)
    @ResourceLock(providers = TargetLocks.class)
    @interface All {
        /** {@return the repeated {@code @RefuseConnections} annotations, in the order declared} */
        RefuseConnections[] value();
    }
}
