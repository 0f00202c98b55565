package dev.netfault.junit.agent;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs fixture classes of the agent's tests through the JUnit Platform Engine Test Kit, to watch
 * the extension from outside: tests that fail on purpose, what is left after them, parallel runs.
 */
final class AgentKit {

    private static final String ENABLED = "netfault.test.agent-fixtures.enabled";

    private AgentKit() {
    }

    /**
     * A fixture: run only by {@link AgentKit#run}. A {@code -Dtest} pattern that selects nested
     * classes (Surefire then ignores its default {@code $} exclusion) or an IDE finds them too; they
     * are disabled there, so their deliberate failures never count as real ones.
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(OnlyInKit.class)
    @interface Fixture {
    }

    static final class OnlyInKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(ENABLED).isPresent()
                    ? ConditionEvaluationResult.enabled("run by AgentKit")
                    : ConditionEvaluationResult.disabled("a fixture of netfault's agent tests, run only through the Engine Test Kit");
        }
    }

    /** Runs every test of {@code fixture}, with configuration parameters given as "key=value". */
    static EngineExecutionResults run(Class<?> fixture, String... configuration) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .configurationParameter(ENABLED, "true");
        for (String entry : configuration) {
            int eq = entry.indexOf('=');
            kit.configurationParameter(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return kit.execute();
    }

    /** {@return the failure of the test method named {@code method}, which must have failed} */
    static Throwable failureOf(EngineExecutionResults results, String method) {
        List<Throwable> failures = results.testEvents().failed().stream()
                .filter(e -> method.equals(methodName(e)))
                .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                .toList();
        if (failures.size() != 1) {
            throw new AssertionError("expected " + method + "() to fail once, but it failed " + failures.size() + " times; events:\n"
                    + results.allEvents().list());
        }
        return failures.get(0);
    }

    /**
     * Asserts how many tests of the run succeeded and failed, and on a mismatch shows why each
     * failed.
     */
    static void assertOutcomes(EngineExecutionResults results, int succeeded, int failed) {
        long actualSucceeded = results.testEvents().succeeded().count();
        long actualFailed = results.testEvents().failed().count();
        if (actualSucceeded != succeeded || actualFailed != failed) {
            StringBuilder message = new StringBuilder("expected " + succeeded + " tests to succeed and " + failed + " to fail, but "
                    + actualSucceeded + " succeeded and " + actualFailed + " failed (" + results.testEvents().skipped().count() + " skipped)");
            results.testEvents().failed().stream().forEach(e -> {
                StringWriter trace = new StringWriter();
                e.getRequiredPayload(TestExecutionResult.class).getThrowable().ifPresent(t -> t.printStackTrace(new PrintWriter(trace)));
                message.append("\n--- ").append(e.getTestDescriptor().getDisplayName()).append(": ").append(trace);
            });
            results.testEvents().skipped().stream().forEach(e -> message.append("\n--- skipped ").append(e.getTestDescriptor().getDisplayName())
                    .append(": ").append(e.getPayload(String.class).orElse("")));
            throw new AssertionError(message.toString());
        }
    }

    private static String methodName(Event event) {
        return event.getTestDescriptor().getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse("");
    }
}
