package dev.netfault;

import java.util.List;

/**
 * What {@link NetworkFailure#classify} found, and why.
 *
 * <p>STAND-IN: a minimal version of this API, so that netfault-assertj compiles and is tested; the
 * real one replaces it.
 *
 * @param failure the failure, {@link NetworkFailure#NONE} if none
 * @param evidence the exception that shows it, {@code null} for {@code NONE}
 * @param chain every exception walked: the exception, its causes and suppressed exceptions
 * @param reason why, for people
 * @since 0.1
 */
public record Classification(NetworkFailure failure, Throwable evidence, List<Throwable> chain, String reason) {

    public Classification {
        chain = List.copyOf(chain);
    }

    /** {@return a multi-line account: the result, the reason, and the whole chain with the evidence marked} */
    public String describe() {
        StringBuilder s = new StringBuilder().append(failure).append(": ").append(reason);
        for (Throwable t : chain) {
            s.append(System.lineSeparator()).append(t == evidence ? "  -> " : "     ").append(t);
        }
        return s.toString();
    }
}
