package dev.netfault.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a client saw, in a form two runs can be compared by: "class: message" of the exception it
 * threw and of each of its causes, and the state its socket was left in. A synthetic fault must
 * produce the same outcome as the JDK's own.
 *
 * @param chain "class: message" of the exception and each of its causes (empty if none was thrown)
 * @param state the socket's state afterwards, such as "closed"; empty if not asked for
 */
public record Outcome(List<String> chain, String state) {

    /** A step of a client that may fail. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Runs {@code step}; {@return what it threw, and {@code state} read afterwards} */
    public static Outcome of(Step step, Supplier<String> state) {
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

    /** Runs {@code step}; {@return what it threw} */
    public static Outcome of(Step step) {
        return of(step, () -> "");
    }

    /** {@return the outcome of an exception chain given as "class: message" lines, with no state} */
    public static Outcome of(String... chain) {
        return new Outcome(List.of(chain), "");
    }

    /** {@return this outcome with every occurrence of {@code text} in its chain replaced} */
    public Outcome replace(String text, String replacement) {
        return new Outcome(chain.stream().map(s -> s.replace(text, replacement)).toList(), state);
    }
}
