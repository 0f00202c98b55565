package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registers netfault's extension on a test class that declares its faults in code only, through an
 * injected {@link NetFault} handle. On a class it also installs the socket agent before the class's
 * {@code @BeforeAll} methods run, so that connections they open (a warm pool) are known to the agent
 * and the tests' rules reach them; a fault annotation with a target on the class does the same.
 *
 * @since 0.1
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetFaultExtension.class)
public @interface EnableNetFault {
}
