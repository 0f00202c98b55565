package dev.netfault;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault: an {@link Effect} that fires on a {@link Trigger}, on some {@link Connections}.
 * Immutable; every {@code on...}/{@code after...} method returns a new fault.
 *
 * <pre>{@code
 * Fault.reset().afterBytes(Direction.TO_CLIENT, 1024).on(Connections.first(2))
 * Fault.delay(Duration.ofMillis(300))                     // on accept, every connection
 * Fault.stall().after(Duration.ofSeconds(1))
 * }</pre>
 *
 * @param effect what happens
 * @param trigger when it happens
 * @param connections to which connections
 * @since 0.1
 */
public record Fault(Effect effect, Trigger trigger, Connections connections) {

    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(connections, "connections");
    }

    /** A real RST on accept, on every connection; see {@link Effect#reset()}. */
    public static Fault reset() {
        return of(Effect.reset());
    }

    /** A frozen connection from accept, on every connection; see {@link Effect#stall()}. */
    public static Fault stall() {
        return of(Effect.stall());
    }

    /** A FIN on accept, on every connection; see {@link Effect#close()}. */
    public static Fault close() {
        return of(Effect.close());
    }

    /** A pause on accept, on every connection; see {@link Effect#delay(Duration)}. */
    public static Fault delay(Duration duration) {
        return of(Effect.delay(duration));
    }

    /** The effect on accept, on every connection. */
    public static Fault of(Effect effect) {
        return new Fault(effect, Trigger.onAccept(), Connections.all());
    }

    /** {@return this fault, firing on accept} */
    public Fault onAccept() {
        return when(Trigger.onAccept());
    }

    /** {@return this fault, firing after exactly {@code bytes} bytes in {@code direction}} */
    public Fault afterBytes(Direction direction, long bytes) {
        return when(Trigger.afterBytes(direction, bytes));
    }

    /** {@return this fault, firing {@code duration} after accept} */
    public Fault after(Duration duration) {
        return when(Trigger.after(duration));
    }

    /** {@return this fault with another trigger} */
    public Fault when(Trigger newTrigger) {
        return new Fault(effect, newTrigger, connections);
    }

    /** {@return this fault, on other connections} */
    public Fault on(Connections newConnections) {
        return new Fault(effect, trigger, newConnections);
    }

    /** {@return a human-readable form, such as {@code "reset after 10 bytes to the client on every connection"}} */
    public String describe() {
        return effect.describe() + " " + trigger.describe() + " on " + connections.describe();
    }
}
