package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The test's fault listener starts down: its port is closed, so the kernel refuses every connect
 * to it with a real RST, as when a server is not running. Bring it up with
 * {@link dev.netfault.FaultListener#up()} (or {@link dev.netfault.FaultListener#downFor}) to see
 * the application recover on the same port.
 *
 * <p>What the application sees (Linux, JDK 17 and 25): {@code java.net.ConnectException:
 * Connection refused}; {@code java.net.http.HttpClient}: {@code ConnectException} with a null
 * message.
 *
 * <p>It composes with the other listener annotations: with their {@code target}, the application's
 * own connections to that target are refused until the listener comes up, then relayed to the
 * target. To refuse the application's connections to a target for the whole test, without a
 * listener, use {@link RefuseConnections}.
 *
 * <pre>{@code
 * @Test
 * @ListenerDown
 * void recoversWhenTheServiceComesBack(FaultListener server) { ... server.up(); ... }
 * }</pre>
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface ListenerDown {
}
