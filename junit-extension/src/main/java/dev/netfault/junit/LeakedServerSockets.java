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
 * A server that leaks sockets, in either or both of the two ways that take real servers down.
 *
 * <ul>
 *   <li>{@link Leak#CONNECTIONS}: the test's fault listener accepts connections and never reads,
 *       answers or closes them. The client's connect and writes succeed; its read waits until its
 *       own read timeout ({@code SocketTimeoutException: Read timed out}); when it closes, the
 *       server side stays in CLOSE_WAIT. Once the listener has accepted {@link #limit()}
 *       connections it stops accepting and its queue is full, so later connects time out
 *       ({@code SocketTimeoutException: Connect timed out}). Inject the listener as a
 *       {@link dev.netfault.FaultListener}.</li>
 *   <li>{@link Leak#PORT}: a leaked listening socket holds a loopback port, injected as a
 *       {@link dev.netfault.HeldPort}. An application server that binds that port, on 127.0.0.1 or
 *       the wildcard address, gets {@code java.net.BindException: Address already in use}.</li>
 * </ul>
 *
 * <pre>{@code
 * @Test
 * @LeakedServerSockets(Leak.PORT)
 * void reportsThePortInUse(HeldPort port) { ... }
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
public @interface LeakedServerSockets {

    /** What leaks. */
    enum Leak {
        /** Accepted connections: the listener accepts and abandons them, up to {@link #limit()}. */
        CONNECTIONS,
        /** A listening socket: it holds a port that the application then cannot bind. */
        PORT
    }

    /** {@return what leaks; both kinds may be given} */
    Leak[] value() default Leak.CONNECTIONS;

    /**
     * With {@link Leak#CONNECTIONS}: how many connections are accepted (and leaked) before accepting stops.
     *
     * @return how many connections are accepted and leaked, at least 1
     */
    int limit() default 1;

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
