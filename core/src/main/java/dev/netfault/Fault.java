package dev.netfault;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A fault: an {@link Effect} that fires on a {@link Trigger}, on some {@link Connections}.
 * Immutable; every {@code on...}/{@code after...} method returns a new fault.
 *
 * <pre>{@code
 * Fault.reset().afterBytes(Direction.TO_CLIENT, 1024).on(Connections.first(2))
 * Fault.delay(Duration.ofMillis(300))                     // on accept, every connection
 * Fault.stall().after(Duration.ofSeconds(1))
 * Fault.reset().onRequest(Requests.first(2))              // fail two requests, serve the third
 * Fault.close().onRequestAfterIdle(Duration.ofMillis(200)) // the stale keep-alive race
 * Fault.close().afterIdle(Duration.ofSeconds(5))          // a keep-alive timeout
 * }</pre>
 *
 * @param effect what happens
 * @param trigger when it happens
 * @param connections to which connections
 * @param onlyIn the one direction the effect applies to, as set by {@link #in(Direction)}; empty: the
 *     byte trigger's direction, or both (see {@link #directions()} for the resolved set)
 * @since 0.1
 */
public record Fault(Effect effect, Trigger trigger, Connections connections, Optional<Direction> onlyIn) {

    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(onlyIn, "onlyIn");
    }

    /** A fault for both directions. */
    public Fault(Effect effect, Trigger trigger, Connections connections) {
        this(effect, trigger, connections, Optional.empty());
    }

    /** {@return latency with jitter from accept on, both directions; see {@link Effect#latency}} */
    public static Fault latency(Duration latency, Duration jitter) {
        return of(Effect.latency(latency, jitter));
    }

    /** {@return a bandwidth limit from accept on, both directions; see {@link Effect#bandwidth}} */
    public static Fault bandwidth(long bytesPerSecond) {
        return of(Effect.bandwidth(bytesPerSecond));
    }

    /** {@return small segments with pauses from accept on, both directions; see {@link Effect#slice}} */
    public static Fault slice(int bytes, Duration interval) {
        return of(Effect.slice(bytes, interval));
    }

    /** {@return dropped data from accept on, both directions, never closed; see {@link Effect#blackhole()}} */
    public static Fault blackhole() {
        return of(Effect.blackhole());
    }

    /**
     * {@return dropped data from accept on, both directions, then a FIN {@code closeAfter} later; see
     * {@link Effect#blackhole(Duration)}}
     */
    public static Fault blackhole(Duration closeAfter) {
        return of(Effect.blackhole(closeAfter));
    }

    /** {@return a slow close; see {@link Effect#slowClose}} */
    public static Fault slowClose(Duration delay) {
        return of(Effect.slowClose(delay));
    }

    /** {@return a half-close towards the client on accept; see {@link Effect#halfClose}} */
    public static Fault halfClose() {
        return of(Effect.halfClose());
    }

    /** {@return this fault, for one direction only} */
    public Fault in(Direction newDirection) {
        return new Fault(effect, trigger, connections, Optional.of(newDirection));
    }

    /**
     * {@return the directions the effect applies to: the fault's own, else a byte trigger's (towards
     * the client for a response offset), else both
     * (a half-close without a direction closes towards the client)}
     */
    public java.util.Set<Direction> directions() {
        if (onlyIn.isPresent()) {
            return java.util.EnumSet.of(onlyIn.get());
        }
        if (trigger instanceof Trigger.AfterBytes bytes) {
            return java.util.EnumSet.of(bytes.direction());
        }
        if (trigger instanceof Trigger.AfterResponse) {
            return java.util.EnumSet.of(Direction.TO_CLIENT);
        }
        return effect instanceof Effect.HalfClose ? java.util.EnumSet.of(Direction.TO_CLIENT) : java.util.EnumSet.allOf(Direction.class);
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

    /**
     * {@return this fault, firing as each selected request starts, before its first byte is
     * forwarded} See {@link Trigger#onRequest(Requests)}: {@code Fault.reset().onRequest(Requests.first(2))}
     * fails the first two requests and serves the third, on whichever connections they come.
     */
    public Fault onRequest(Requests requests) {
        return when(Trigger.onRequest(requests));
    }

    /** {@return this fault, firing as every request starts; see {@link Trigger#onRequest()}} */
    public Fault onRequest() {
        return when(Trigger.onRequest());
    }

    /**
     * {@return this fault, firing as a request starts on a connection idle for at least {@code idle}}
     * The stale keep-alive race: {@code Fault.close().onRequestAfterIdle(Duration.ofMillis(200))}. See
     * {@link Trigger#onRequestAfterIdle(Duration)}.
     */
    public Fault onRequestAfterIdle(Duration idle) {
        return when(Trigger.onRequestAfterIdle(idle));
    }

    /** {@return this fault, firing after exactly {@code bytes} bytes of the response to each selected request; see {@link Trigger#afterResponse}} */
    public Fault afterResponse(Requests requests, long bytes) {
        return when(Trigger.afterResponse(requests, bytes));
    }

    /** {@return this fault, firing when the response to each selected request ends; see {@link Trigger#afterResponseEnd}} */
    public Fault afterResponseEnd(Requests requests) {
        return when(Trigger.afterResponseEnd(requests));
    }

    /** {@return this fault, firing when the connection has been idle for {@code idle}; see {@link Trigger#afterIdle}} */
    public Fault afterIdle(Duration idle) {
        return when(Trigger.afterIdle(idle));
    }

    /** {@return this fault with another trigger} */
    public Fault when(Trigger newTrigger) {
        return new Fault(effect, newTrigger, connections, onlyIn);
    }

    /** {@return this fault, on other connections} */
    public Fault on(Connections newConnections) {
        return new Fault(effect, trigger, newConnections, onlyIn);
    }

    /** {@return a human-readable form, such as {@code "reset after 10 bytes to the client on every connection"}} */
    public String describe() {
        return effect.describe() + onlyIn.map(d -> " " + d.describe()).orElse("") + " " + trigger.describe() + " on "
                + connections.describe();
    }
}
