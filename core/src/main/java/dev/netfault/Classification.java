package dev.netfault;

import java.util.List;
import java.util.Objects;

/**
 * What the classifier saw.
 *
 * @param failure the result
 * @param evidence the exception in the chain that decided it ({@code null} for {@link NetworkFailure#NONE})
 * @param chain every throwable walked, in order (causes and suppressed, each once)
 * @param reason one line, e.g. {@code "SocketException: Connection reset (the JDK's read after a reset)"}
 */
public record Classification(NetworkFailure failure, Throwable evidence, List<Throwable> chain, String reason) {

    /**
     * Copies the chain (unmodifiable); rejects a null failure, chain or reason.
     *
     * @param failure the result, not null
     * @param evidence the exception in the chain that decided it, or {@code null} for {@link NetworkFailure#NONE}
     * @param chain every throwable walked, in order, not null
     * @param reason one line saying why, not null
     */
    public Classification {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(reason, "reason");
        chain = List.copyOf(chain);
    }

    /**
     * {@return a multi-line description: the result, the reason, then the whole chain one per line
     * with class and message, the evidence marked}
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append(failure).append('\n');
        text.append("  reason: ").append(reason).append('\n');
        text.append("  chain:");
        if (chain.isEmpty()) {
            text.append(" (nothing thrown)");
        }
        for (int i = 0; i < chain.size(); i++) {
            Throwable t = chain.get(i);
            text.append('\n').append(t == evidence ? "  => " : "     ").append(i).append(". ")
                    .append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }
}
