package dev.netfault.junit.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link Fixture} classes only when {@link Kit} runs them. */
public final class FixtureCondition implements ExecutionCondition {

    /** The configuration parameter {@link Kit} sets; nothing else does. */
    public static final String ENABLED = "netfault.test.fixtures.enabled";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getConfigurationParameter(ENABLED, Boolean::parseBoolean).orElse(false)
                ? ConditionEvaluationResult.enabled("run by the Engine Test Kit")
                : ConditionEvaluationResult.disabled("a fixture of netfault's own tests: it runs only through the Engine Test Kit");
    }
}
