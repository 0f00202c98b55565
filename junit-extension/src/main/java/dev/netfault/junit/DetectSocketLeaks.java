package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test whose code leaves a {@code Socket}, {@code ServerSocket}, {@code SocketChannel} or
 * {@code ServerSocketChannel} open when it ends (after its {@code @AfterEach} methods), listing each
 * one with its local and remote address and where it was opened. Leaked sockets are how a server
 * quietly stops accepting; this catches the leak in the test that introduced it.
 *
 * <p>Tracked: what the test's thread opens, and threads it starts (including the pools of clients
 * it builds). Not blamed: sockets opened before the test, on threads the test did not start, or by
 * netfault itself. Uses netfault's socket agent.
 *
 * <p>A client that pools connections keeps them open on purpose: close it (on JDK 21 and later,
 * {@code HttpClient.close()}), or detect leaks in tests that do not use one.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SocketLeakExtension.class)
public @interface DetectSocketLeaks {
}
