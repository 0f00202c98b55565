package dev.netfault.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;

/**
 * The hang guard's timeout for this test (on a method) or for every test of a class (on a class,
 * including its {@code @Nested} classes), in place of the configuration parameter
 * {@link NetFaultConfig#HANG_TIMEOUT_PROPERTY_NAME}. The closest declaration wins: the method, then
 * its class, then enclosing classes.
 *
 * <p>The guard watches the test method and each {@code @BeforeEach} and {@code @AfterEach} method
 * of a test that has netfault faults, each for this long. When one is still running at the end of
 * it, netfault releases the test's faults (its listeners close and reset their connections, so a
 * client blocked without a timeout gets {@code ConnectException: Connection refused} or
 * {@code SocketException: Connection reset}) and fails the test with a message that says where it
 * was blocked and which timeout the client is missing.
 *
 * <pre>{@code
 * @Test
 * @SlowAccept(delay = 20, unit = TimeUnit.SECONDS)
 * @HangTimeout(60)            // this test waits for a slow accept on purpose
 * void waitsForTheSlowServer(FaultListener server) { ... }
 * }</pre>
 *
 * <p>{@code @HangTimeout(0)} turns the guard off; a negative value fails the test with an
 * {@code ExtensionConfigurationException} before its faults are installed.
 *
 * @since 0.1
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface HangTimeout {

    /** {@return how long, in {@link #unit()}; {@code 0} turns the guard off} */
    long value();

    /** {@return the unit of {@link #value()}; seconds by default} */
    TimeUnit unit() default TimeUnit.SECONDS;
}
