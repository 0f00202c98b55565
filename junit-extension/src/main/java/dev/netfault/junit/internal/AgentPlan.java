package dev.netfault.junit.internal;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.junit.TimeOutConnections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The socket agent rules a test's annotations ask for, validated; made when the test starts. */
final class AgentPlan {

    /** Each rule to make, with the annotation it comes from. */
    private final List<Map.Entry<Supplier<AgentRule>, String>> rules = new ArrayList<>();
    private final List<Target> refused = new ArrayList<>();
    private final List<String> summary;

    private AgentPlan(List<String> summary) {
        this.summary = summary;
    }

    static AgentPlan of(ExtensionContext context, List<String> summary) {
        AgentPlan plan = new AgentPlan(summary);
        for (Declared<RefuseConnections> declared : Declared.closest(context, RefuseConnections.class, true)) {
            if (declared.annotation().value().isBlank()) {
                throw new ExtensionConfigurationException(declared.describe() + ": value must name where the application connects,"
                        + " \"host:port\", \"host\" or \":port\", such as \"db.internal:5432\", but was empty. Fix: give the target;"
                        + " to refuse connections to the test's own fault listener, use @ListenerDown instead.");
            }
            Target target = parse(declared, "value", declared.annotation().value());
            plan.refused.add(target);
            plan.rules.add(Map.entry(() -> SocketAgent.refuse(target), declared.describe()));
            summary.add("@RefuseConnections: " + target + " refuses connections");
        }
        for (Declared<TimeOutConnections> declared : Declared.closest(context, TimeOutConnections.class, false)) {
            TimeOutConnections a = declared.annotation();
            Target target = parse(declared, "value", a.value());
            if (a.after() < 0) {
                throw new ExtensionConfigurationException(declared.describe() + ": after must be non-negative, but was " + a.after()
                        + " " + a.unit().name().toLowerCase(java.util.Locale.ROOT)
                        + ". Fix: give how long after it opened a connection dies (0: at its first read or write).");
            }
            Duration after = Duration.ofNanos(a.unit().toNanos(a.after()));
            plan.rules.add(Map.entry(() -> SocketAgent.timeOutConnections(target, after), declared.describe()));
            summary.add("@TimeOutConnections: connections to " + target + " die with ETIMEDOUT after " + after.toMillis() + " ms");
        }
        for (Declared<FailResolution> declared : Declared.closest(context, FailResolution.class, true)) {
            String host = declared.annotation().value().trim();
            if (host.isEmpty() || host.indexOf(':') >= 0 && !host.contains("::")) {
                throw new ExtensionConfigurationException(declared.describe() + ": value must be a host name, such as \"db.internal\", but was \""
                        + declared.annotation().value() + "\". Fix: give the name the application resolves, without a port.");
            }
            plan.rules.add(Map.entry(() -> SocketAgent.failResolution(host), declared.describe()));
            summary.add("@FailResolution: " + host + " does not resolve");
        }
        plan.rules.addAll(AcceptFaults.of(context, summary));
        return plan;
    }

    /** Parses a target attribute, or fails with a message that names the annotation and the fix. */
    static Target parse(Declared<?> declared, String element, String value) {
        try {
            return Target.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(declared.describe() + ": " + element + " must be \"host:port\", \"host\" or \":port\","
                    + " such as \"db.internal:5432\", but was \"" + value + "\". Fix: name where the application connects ("
                    + e.getMessage() + ").");
        }
    }

    boolean refuses(Target target) {
        return refused.contains(target);
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Makes the rules, each owned by {@code faults}. */
    void install(InstalledFaults faults) {
        for (Map.Entry<Supplier<AgentRule>, String> rule : rules) {
            faults.aim(rule.getKey().get(), rule.getValue());
        }
    }

    List<String> summary() {
        return summary;
    }
}
