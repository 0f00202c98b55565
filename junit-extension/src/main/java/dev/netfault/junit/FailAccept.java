package dev.netfault.junit;

import dev.netfault.AcceptError;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The application's server fails to accept: its first {@link #times()} accepts fail with
 * {@link #error()}, at once, then accepts work again (netfault's socket agent). Pending connections
 * stay queued and the listener stays open, so a server whose accept loop logs and carries on serves
 * every client; one whose loop dies on an {@code IOException} serves none. The rule is made before
 * {@code @BeforeEach} methods run and closed after {@code @AfterEach} ones.
 *
 * <p>What the application sees (JDK 17 and 25): {@code ServerSocket.accept()} and
 * {@code ServerSocketChannel.accept()} (blocking, non-blocking, timed) throw
 * {@code java.io.IOException} with the errno's text, such as {@code Connection timed out}; see
 * {@link AcceptError} for each.
 *
 * <p>Which listeners: with no {@link #port()}, every listening socket of the application, whatever
 * its port (a server the test starts on an ephemeral port, or one started before the test), the first
 * {@code times} accepts of each from the moment the test starts; netfault's own listeners are never
 * touched. As that reaches every server in the JVM, such a test runs alone: no other test runs while it
 * does. With a {@code port}, only the listener on that port; tests aiming at the same port do not run
 * at once. For a port known only once the server runs, {@link NetFault#failAccept(int, int, AcceptError)}
 * in the test aims at exactly that one.
 *
 * <pre>{@code
 * @Test
 * @FailAccept(times = 3, error = AcceptError.ETIMEDOUT)
 * void acceptLoopSurvives() { ... }
 * }</pre>
 *
 * @since 0.2
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = AcceptLocks.class)
public @interface FailAccept {

    /** {@return how many accepts fail (on each listener, when no port is given); at least 1} */
    int times() default 1;

    /** {@return what they fail with; {@code EMFILE} ({@code Too many open files}) unless given} */
    AcceptError error() default AcceptError.EMFILE;

    /** {@return the port of the application's listener, from 1 to 65535; 0 (the default): every listener} */
    int port() default 0;
}
