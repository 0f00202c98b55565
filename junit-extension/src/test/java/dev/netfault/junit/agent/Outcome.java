package dev.netfault.junit.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What a client saw: "class: message" of the exception it threw and of each cause, in a form two
 * runs can be compared by (a synthetic fault must look like the JDK's own).
 */
record Outcome(List<String> chain) {

    /** A step of a client that may fail. */
    interface Step {
        void run() throws Exception;
    }

    static Outcome of(Step step) {
        List<String> chain = new ArrayList<>();
        try {
            step.run();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.add(t.getClass().getName() + ": " + t.getMessage());
            }
        }
        return new Outcome(chain);
    }

    static Outcome of(String... chain) {
        return new Outcome(List.of(chain));
    }

    /** {@return the outcome with every occurrence of {@code text} replaced} */
    Outcome replace(String text, String replacement) {
        return new Outcome(chain.stream().map(s -> s.replace(text, replacement)).toList());
    }
}
