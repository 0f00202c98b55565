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

    /**
     * Rejects a null part.
     *
     * @param effect what happens, not null
     * @param trigger when it happens, not null
     * @param connections to which connections, not null
     * @param onlyIn the one direction the effect applies to; empty for the trigger's direction, or both
     */
    public Fault {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(onlyIn, "onlyIn");
    }

    /**
     * A fault without a direction of its own: a byte trigger's direction, or both.
     *
     * @param effect what happens, not null
     * @param trigger when it happens, not null
     * @param connections to which connections, not null
     */
    public Fault(Effect effect, Trigger trigger, Connections connections) {
        this(effect, trigger, connections, Optional.empty());
    }

    /**
     * {@return latency with jitter from accept on, both directions; see {@link Effect#latency}}
     *
     * @param latency the mean delay added to each chunk of data, not negative
     * @param jitter the largest deviation from it, from 0 (none) to {@code latency}
     */
    public static Fault latency(Duration latency, Duration jitter) {
        return of(Effect.latency(latency, jitter));
    }

    /**
     * {@return a bandwidth limit from accept on, both directions; see {@link Effect#bandwidth}}
     *
     * @param bytesPerSecond the most bytes relayed per second, at least 1
     */
    public static Fault bandwidth(long bytesPerSecond) {
        return of(Effect.bandwidth(bytesPerSecond));
    }

    /**
     * {@return small segments with pauses from accept on, both directions; see {@link Effect#slice}}
     *
     * @param bytes the largest segment, in bytes, at least 1
     * @param interval the pause after each segment, not negative
     */
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
     *
     * @param closeAfter how long after accept the connection closes, not negative
     */
    public static Fault blackhole(Duration closeAfter) {
        return of(Effect.blackhole(closeAfter));
    }

    /**
     * {@return a slow close on every connection; see {@link Effect#slowClose}}
     *
     * @param delay how long each close is held back, not negative
     */
    public static Fault slowClose(Duration delay) {
        return of(Effect.slowClose(delay));
    }

    /** {@return a half-close towards the client on accept; see {@link Effect#halfClose}} */
    public static Fault halfClose() {
        return of(Effect.halfClose());
    }

    /**
     * {@return this fault, for one direction only}
     *
     * @param newDirection the direction the effect applies to, instead of the trigger's or both
     */
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

    /** {@return a real RST on accept, on every connection; see {@link Effect#reset()}} */
    public static Fault reset() {
        return of(Effect.reset());
    }

    /** {@return a frozen connection from accept, on every connection; see {@link Effect#stall()}} */
    public static Fault stall() {
        return of(Effect.stall());
    }

    /** {@return a FIN on accept, on every connection; see {@link Effect#close()}} */
    public static Fault close() {
        return of(Effect.close());
    }

    /**
     * {@return a pause on accept, on every connection; see {@link Effect#delay(Duration)}}
     *
     * @param duration how long to pause, not negative
     */
    public static Fault delay(Duration duration) {
        return of(Effect.delay(duration));
    }

    /**
     * {@return a fault with {@code effect} on accept, on every connection}
     *
     * @param effect what happens, not null
     */
    public static Fault of(Effect effect) {
        return new Fault(effect, Trigger.onAccept(), Connections.all());
    }

    /** {@return this fault, firing on accept} */
    public Fault onAccept() {
        return when(Trigger.onAccept());
    }

    /**
     * {@return this fault, firing after exactly {@code bytes} bytes in {@code direction}}
     *
     * @param direction which stream to count
     * @param bytes the byte offset, not negative; 0 fires before the first byte of that direction
     */
    public Fault afterBytes(Direction direction, long bytes) {
        return when(Trigger.afterBytes(direction, bytes));
    }

    /**
     * {@return this fault, firing {@code duration} after accept}
     *
     * @param duration the time since accept, not negative
     */
    public Fault after(Duration duration) {
        return when(Trigger.after(duration));
    }

    /**
     * {@return this fault, firing as each selected request starts, before its first byte is
     * forwarded} See {@link Trigger#onRequest(Requests)}: {@code Fault.reset().onRequest(Requests.first(2))}
     * fails the first two requests and serves the third, on whichever connections they come.
     *
     * @param requests which requests; {@link Requests#all()} for every request
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
     *
     * @param idle how long the connection must have been idle, not negative; 0 for every request
     */
    public Fault onRequestAfterIdle(Duration idle) {
        return when(Trigger.onRequestAfterIdle(idle));
    }

    /**
     * {@return this fault, firing after exactly {@code bytes} bytes of the response to each selected
     * request; see {@link Trigger#afterResponse}}
     *
     * @param requests which requests' responses
     * @param bytes the offset into the response, not negative; 0 as the response starts
     */
    public Fault afterResponse(Requests requests, long bytes) {
        return when(Trigger.afterResponse(requests, bytes));
    }

    /**
     * {@return this fault, firing when the response to each selected request ends; see
     * {@link Trigger#afterResponseEnd}}
     *
     * @param requests which requests' responses
     */
    public Fault afterResponseEnd(Requests requests) {
        return when(Trigger.afterResponseEnd(requests));
    }

    /**
     * {@return this fault, firing when the connection has been idle for {@code idle}; see
     * {@link Trigger#afterIdle}}
     *
     * @param idle how long no byte went either way, more than 0
     */
    public Fault afterIdle(Duration idle) {
        return when(Trigger.afterIdle(idle));
    }

    /**
     * {@return this fault with another trigger}
     *
     * @param newTrigger when the effect fires instead
     */
    public Fault when(Trigger newTrigger) {
        return new Fault(effect, newTrigger, connections, onlyIn);
    }

    /**
     * {@return this fault, on other connections}
     *
     * @param newConnections the connections it applies to instead
     */
    public Fault on(Connections newConnections) {
        return new Fault(effect, trigger, newConnections, onlyIn);
    }

    /** {@return a human-readable form, such as {@code "reset after 10 bytes to the client on every connection"}} */
    public String describe() {
        return effect.describe() + onlyIn.map(d -> " " + d.describe()).orElse("") + " " + trigger.describe() + " on "
                + connections.describe();
    }
}
