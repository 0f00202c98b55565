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
 * Resolving a host name fails, as when DNS does not know it (netfault's socket agent).
 *
 * <p>What the application sees, as from the JDK's resolver and its negative cache:
 * {@code java.net.UnknownHostException: <host>: Name or service not known} on the first lookup,
 * {@code UnknownHostException: <host>} on later ones (for example from {@code new Socket(host, port)});
 * {@code java.net.http.HttpClient}: {@code ConnectException} with a null message.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(FailResolution.All.class)
@ExtendWith(NetFaultExtension.class)
@ResourceLock(providers = TargetLocks.class)
public @interface FailResolution {

    /** {@return the host name whose resolution fails} */
    String value();

    /** The container of repeated {@link FailResolution}; the compiler writes it for you. */
    @Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @ExtendWith(NetFaultExtension.class)
    @ResourceLock(providers = TargetLocks.class)
    @interface All {
        /** {@return the repeated {@code @FailResolution} annotations, in the order declared} */
        FailResolution[] value();
    }
}
