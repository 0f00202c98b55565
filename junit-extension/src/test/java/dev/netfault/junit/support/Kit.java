package dev.netfault.junit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs {@link Fixture} classes through the JUnit Platform Engine Test Kit, and reads what happened
 * to each of their tests.
 */
public final class Kit {

    private Kit() {
    }

    /**
     * Runs every test of a fixture class.
     *
     * @param configuration configuration parameters as {@code "key=value"}
     */
    public static EngineExecutionResults run(Class<?> fixture, String... configuration) {
        return run(selectClass(fixture), configuration);
    }

    /** Runs every test of several fixture classes, in one run. */
    public static EngineExecutionResults runAll(Class<?>... fixtures) {
        return run(Arrays.stream(fixtures).map(DiscoverySelectors::selectClass).toArray(DiscoverySelector[]::new));
    }

    /** Runs the one method of {@code fixture} named {@code method}. */
    public static EngineExecutionResults runMethod(Class<?> fixture, String method, String... configuration) {
        List<Method> named = Arrays.stream(fixture.getDeclaredMethods()).filter(m -> m.getName().equals(method)).toList();
        assertThat(named).as("methods named %s in %s", method, fixture.getName()).hasSize(1);
        return run(selectMethod(fixture, named.get(0)), configuration);
    }

    private static EngineExecutionResults run(DiscoverySelector selector, String... configuration) {
        return run(new DiscoverySelector[] {selector}, configuration);
    }

    private static EngineExecutionResults run(DiscoverySelector[] selectors, String... configuration) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
                .selectors(selectors)
                .configurationParameter(FixtureCondition.ENABLED, "true");
        for (String entry : configuration) {
            int eq = entry.indexOf('=');
            kit.configurationParameter(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return kit.execute();
    }

    /** {@return the results of every finished test (or repetition) of the method named {@code method}} */
    public static List<TestExecutionResult> outcomes(EngineExecutionResults results, String method) {
        return results.testEvents().finished().stream()
                .filter(e -> method.equals(methodName(e)))
                .map(e -> e.getRequiredPayload(TestExecutionResult.class))
                .toList();
    }

    /** {@return the failure of the one test named {@code method}}, asserting that it failed */
    public static Throwable failure(EngineExecutionResults results, String method) {
        List<TestExecutionResult> outcomes = outcomes(results, method);
        assertThat(outcomes).as("results of %s()%n%s", method, describe(results)).hasSize(1);
        TestExecutionResult outcome = outcomes.get(0);
        assertThat(outcome.getStatus()).as("%s()%n%s", method, describe(results)).isEqualTo(TestExecutionResult.Status.FAILED);
        return outcome.getThrowable().orElseThrow();
    }

    /** {@return the failure of the one container (a test class) that failed}, asserting that exactly one did */
    public static Throwable containerFailure(EngineExecutionResults results) {
        List<Throwable> failures = results.containerEvents().failed().stream()
                .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                .toList();
        assertThat(failures).as("failed containers%n%s", describe(results)).hasSize(1);
        return failures.get(0);
    }

    /** Asserts that exactly {@code tests} tests ran, and that all of them succeeded. */
    public static void assertAllSucceeded(EngineExecutionResults results, int tests) {
        String account = describe(results);
        assertThat(results.containerEvents().failed().count()).as("failed containers%n%s", account).isZero();
        assertThat(results.testEvents().skipped().count()).as("skipped tests%n%s", account).isZero();
        assertThat(results.testEvents().finished().count()).as("finished tests%n%s", account).isEqualTo(tests);
        assertThat(results.testEvents().succeeded().count()).as("succeeded tests%n%s", account).isEqualTo(tests);
    }

    /** {@return every finished test and container with its outcome and, if it did not succeed, the stack trace} */
    public static String describe(EngineExecutionResults results) {
        return results.allEvents().finished().stream().map(Kit::describe).collect(Collectors.joining("\n"));
    }

    private static String describe(Event event) {
        TestExecutionResult result = event.getRequiredPayload(TestExecutionResult.class);
        String line = "  " + event.getTestDescriptor().getUniqueId() + ": " + result.getStatus();
        return result.getThrowable().map(t -> line + "\n" + stackTrace(t)).orElse(line);
    }

    private static String methodName(Event event) {
        return event.getTestDescriptor().getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(null);
    }

    private static String stackTrace(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }
}
