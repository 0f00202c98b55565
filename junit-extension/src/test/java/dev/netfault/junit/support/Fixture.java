package dev.netfault.junit.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a fixture: a test class that netfault's own tests run through the JUnit Platform Engine
 * Test Kit ({@link Kit}) to observe the extension from the outside, including tests that fail on
 * purpose.
 *
 * <p>Fixtures are static nested classes, which Surefire never runs by itself (its default excludes
 * skip every class whose name has a {@code $}). An IDE may still pick them up when it runs a
 * whole package; the condition behind this annotation then disables them, so their deliberate
 * failures never show up as real ones. {@link Kit} sets {@value FixtureCondition#ENABLED} to run them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(FixtureCondition.class)
public @interface Fixture {
}
