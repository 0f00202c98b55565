package dev.netfault.junit.internal;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.junit.FailAccept;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The accept failures a test's {@link FailAccept} asks for, validated; made when the test starts. */
final class AcceptFaults {

    private AcceptFaults() {
    }

    /** {@return the rules of the closest {@code @FailAccept}, described in {@code summary}} */
    static List<Map.Entry<Supplier<AgentRule>, String>> of(ExtensionContext context, List<String> summary) {
        List<Map.Entry<Supplier<AgentRule>, String>> rules = new ArrayList<>();
        for (Declared<FailAccept> declared : Declared.closest(context, FailAccept.class, false)) {
            FailAccept a = declared.annotation();
            if (a.times() < 1) {
                throw new ExtensionConfigurationException(declared.describe() + ": times, the number of accepts that fail, must be at"
                        + " least 1, but was " + a.times() + ". Fix: give times = 1 or more, or remove the annotation.");
            }
            if (a.port() < 0 || a.port() > 65535) {
                throw new ExtensionConfigurationException(declared.describe() + ": port must be from 1 to 65535, or 0 for every"
                        + " listener, but was " + a.port() + ". Fix: give the port the application's server listens on, or leave"
                        + " port out; for a port known only at run time, call NetFault.failAccept(port, times, error) in the test.");
            }
            if (a.port() == 0) {
                rules.add(Map.entry(() -> SocketAgent.failAcceptOnAnyPort(a.times(), a.error()), declared.describe()));
                summary.add("@FailAccept: the first " + a.times() + " accepts of every listener fail with " + a.error()
                        + " (IOException: " + a.error().message() + ")");
            } else {
                rules.add(Map.entry(() -> SocketAgent.failAccept(a.port(), a.times(), a.error()), declared.describe()));
                summary.add("@FailAccept: the next " + a.times() + " accepts on port " + a.port() + " fail with " + a.error()
                        + " (IOException: " + a.error().message() + ")");
            }
        }
        return rules;
    }
}
