package dev.netfault.internal.agent;

import java.lang.instrument.Instrumentation;

/**
 * The entry point when netfault's core jar is given as {@code -javaagent}: it only keeps the
 * {@link Instrumentation}; the transformation happens when the first test needs it, as with
 * self-attach. Refers to nothing outside {@code java.instrument}, so it loads before the class path
 * is complete.
 */
public final class AgentEntry {

    private static volatile Instrumentation instrumentation;

    private AgentEntry() {
    }

    public static void premain(String arguments, Instrumentation inst) {
        instrumentation = inst;
    }

    public static void agentmain(String arguments, Instrumentation inst) {
        instrumentation = inst;
    }

    static Instrumentation instrumentation() {
        return instrumentation;
    }
}
