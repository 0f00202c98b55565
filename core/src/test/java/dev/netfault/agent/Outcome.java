package dev.netfault.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * What a client saw, in a form two runs can be compared by: the exception's class and message and
 * those of its causes, and the state the socket was left in. Synthetic faults must produce the
 * same outcome as the JDK's own.
 *
 * @param chain "class: message" of the exception and each of its causes (empty if none was thrown)
 * @param state the socket's state afterwards, such as "closed"
 */
record Outcome(List<String> chain, String state) {

    /** A step of a client that may fail. */
    interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step}; {@return what it threw, and {@code state} read afterwards} */
    static Outcome of(Step step, java.util.function.Supplier<String> state) {
        List<String> chain = new ArrayList<>();
        try {
            step.run();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.add(t.getClass().getName() + ": " + t.getMessage());
            }
        }
        return new Outcome(chain, state.get());
    }

    static Outcome of(Step step) {
        return of(step, () -> "");
    }
}
