package dev.netfault;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a fault does to a connection when its {@link Trigger} fires. Effects are immutable values.
 *
 * <p>Every effect is real TCP: the client's kernel sees exactly what it would see from a real peer.
 *
 * @since 0.1
 */
public sealed interface Effect permits Effect.Reset, Effect.Stall, Effect.Close, Effect.Delay, Effect.Latency,
        Effect.Bandwidth, Effect.Slice, Effect.Blackhole, Effect.SlowClose, Effect.HalfClose {

    /**
     * {@return an abort with a real RST} The listener closes the client's socket with
     * {@code SO_LINGER} 0; the upstream connection, if any, is closed.
     *
     * <p>What the client sees: a {@code Socket} read throws {@code SocketException: Connection reset}
     * (and keeps throwing it); a first write throws {@code SocketException: Connection reset by peer},
     * later ones {@code Broken pipe}. A {@code SocketChannel} read throws {@code SocketException:
     * Connection reset}, a write {@code IOException: Connection reset by peer}.
     */
    static Reset reset() {
        return Reset.INSTANCE;
    }

    /**
     * {@return a frozen connection} From then on nothing is read from or sent to either side, as with
     * a hung server. The client's read blocks until its own read timeout
     * ({@code SocketTimeoutException: Read timed out}); its writes succeed until the buffers fill.
     */
    static Stall stall() {
        return Stall.INSTANCE;
    }

    /**
     * {@return an orderly close with a FIN} The client's read returns -1 (end of stream). Anything the
     * client still sends is read and discarded, so no RST follows.
     */
    static Close close() {
        return Close.INSTANCE;
    }

    /**
     * {@return a pause of the connection, after which it carries on} With a byte trigger, only that
     * direction pauses, exactly at that offset; on accept or after a duration, both directions pause.
     *
     * @param duration how long to pause, not negative
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    static Delay delay(Duration duration) {
        return new Delay(duration);
    }

    /**
     * {@return added latency} From the trigger on, every chunk of data is held for {@code latency},
     * plus or minus up to {@code jitter} (uniformly, from the listener's seed), keeping the order of
     * the bytes. The application sees its answers late: a read timeout shorter than the latency fires
     * ({@code SocketTimeoutException: Read timed out}).
     *
     * @param latency the mean delay added to each chunk, not negative
     * @param jitter the largest deviation from it, from 0 (none) to {@code latency}
     * @throws IllegalArgumentException if either is negative, or the jitter exceeds the latency
     */
    static Latency latency(Duration latency, Duration jitter) {
        return new Latency(latency, jitter);
    }

    /**
     * {@return a slow link} From the trigger on, at most {@code bytesPerSecond} are relayed.
     *
     * @param bytesPerSecond the most bytes relayed per second, at least 1
     * @throws IllegalArgumentException if {@code bytesPerSecond} is less than 1
     */
    static Bandwidth bandwidth(long bytesPerSecond) {
        return new Bandwidth(bytesPerSecond);
    }

    /**
     * {@return sliced delivery} From the trigger on, data is delivered in segments of at most
     * {@code bytes}, with {@code interval} between them.
     *
     * @param bytes the largest segment, in bytes, at least 1
     * @param interval the pause after each segment, not negative
     * @throws IllegalArgumentException if {@code bytes} is less than 1 or {@code interval} is negative
     */
    static Slice slice(int bytes, Duration interval) {
        return new Slice(bytes, interval);
    }

    /**
     * {@return a blackhole that never closes} From the trigger on, the data is read and dropped:
     * nothing more arrives, the connection looks alive and is never closed. The client's read blocks
     * until its own read timeout.
     */
    static Blackhole blackhole() {
        return new Blackhole(Optional.empty());
    }

    /**
     * {@return a blackhole that closes} From the trigger on, the data is read and dropped (nothing
     * more arrives, the connection looks alive), then the connection closes with a FIN after
     * {@code closeAfter}: the client's read returns -1 then.
     *
     * @param closeAfter how long after the trigger the connection closes, not negative
     * @throws IllegalArgumentException if {@code closeAfter} is negative
     */
    static Blackhole blackhole(Duration closeAfter) {
        return new Blackhole(Optional.of(Objects.requireNonNull(closeAfter, "closeAfter")));
    }

    /**
     * {@return a peer slow to close} When a side closes, the close is passed on only {@code delay} later.
     *
     * @param delay how long each close is held back, not negative
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    static SlowClose slowClose(Duration delay) {
        return new SlowClose(delay);
    }

    /**
     * {@return a half-close} One direction only is closed, with a FIN: towards the client
     * ({@code TO_CLIENT}: its read returns -1 while it can still send) or towards the upstream
     * ({@code FROM_CLIENT}: the server reads the end of the request while the answer still flows). The
     * direction is the fault's, see {@link Fault#in(Direction)}; without one, towards the client.
     */
    static HalfClose halfClose() {
        return HalfClose.INSTANCE;
    }

    /** {@return a short human-readable form, such as {@code "reset"} or {@code "delay 200ms"}} */
    String describe();

    /** {@return whether the effect ends the connection (a reset, a close or a stall)} */
    default boolean isTerminal() {
        return this instanceof Reset || this instanceof Close || this instanceof Stall;
    }

    /** A real RST. See {@link Effect#reset()}. */
    record Reset() implements Effect {
        static final Reset INSTANCE = new Reset();

        @Override
        public String describe() {
            return "reset";
        }
    }

    /** A frozen connection. See {@link Effect#stall()}. */
    record Stall() implements Effect {
        static final Stall INSTANCE = new Stall();

        @Override
        public String describe() {
            return "stall";
        }
    }

    /** An orderly close with a FIN. See {@link Effect#close()}. */
    record Close() implements Effect {
        static final Close INSTANCE = new Close();

        @Override
        public String describe() {
            return "close";
        }
    }

    /**
     * A pause. See {@link Effect#delay(Duration)}.
     *
     * @param duration how long to pause, not negative
     */
    record Delay(Duration duration) implements Effect {
        /**
         * Checks the duration.
         *
         * @param duration how long to pause, not negative
         * @throws IllegalArgumentException if it is negative
         */
        public Delay {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a delay must not be negative, but was " + duration.toMillis() + " ms");
            }
        }

        @Override
        public String describe() {
            return "delay " + duration.toMillis() + "ms";
        }
    }

    /**
     * Latency with jitter. See {@link Effect#latency(Duration, Duration)}.
     *
     * @param latency the mean added delay, not negative
     * @param jitter the largest deviation from it, not negative and not more than the latency
     */
    record Latency(Duration latency, Duration jitter) implements Effect {
        /**
         * Checks the latency and the jitter.
         *
         * @param latency the mean added delay, not negative
         * @param jitter the largest deviation from it, from 0 to {@code latency}
         * @throws IllegalArgumentException if either is negative, or the jitter exceeds the latency
         */
        public Latency {
            requireNonNegative(latency, "a latency");
            requireNonNegative(jitter, "a jitter");
            if (jitter.compareTo(latency) > 0) {
                throw new IllegalArgumentException("a jitter must not exceed the latency (" + latency.toMillis() + " ms), but was "
                        + jitter.toMillis() + " ms");
            }
        }

        @Override
        public String describe() {
            return "latency " + latency.toMillis() + "ms" + (jitter.isZero() ? "" : " +/- " + jitter.toMillis() + "ms");
        }
    }

    /**
     * A bandwidth limit. See {@link Effect#bandwidth(long)}.
     *
     * @param bytesPerSecond at least 1
     */
    record Bandwidth(long bytesPerSecond) implements Effect {
        /**
         * Checks the rate.
         *
         * @param bytesPerSecond at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public Bandwidth {
            if (bytesPerSecond < 1) {
                throw new IllegalArgumentException("a bandwidth must be at least 1 byte per second, but was " + bytesPerSecond);
            }
        }

        @Override
        public String describe() {
            return "bandwidth " + bytesPerSecond + " B/s";
        }
    }

    /**
     * Small segments with pauses. See {@link Effect#slice(int, Duration)}.
     *
     * @param bytes the largest segment, at least 1
     * @param interval the pause after each segment, not negative
     */
    record Slice(int bytes, Duration interval) implements Effect {
        /**
         * Checks the size and the interval.
         *
         * @param bytes the largest segment, at least 1
         * @param interval the pause after each segment, not negative
         * @throws IllegalArgumentException if the size is less than 1 or the interval negative
         */
        public Slice {
            if (bytes < 1) {
                throw new IllegalArgumentException("a slice must be at least 1 byte, but was " + bytes);
            }
            requireNonNegative(interval, "a slice interval");
        }

        @Override
        public String describe() {
            return "slices of " + bytes + " bytes every " + interval.toMillis() + "ms";
        }
    }

    /**
     * Data dropped. See {@link Effect#blackhole()} and {@link Effect#blackhole(Duration)}.
     *
     * @param closeAfter when to close with a FIN, or empty for never
     */
    record Blackhole(Optional<Duration> closeAfter) implements Effect {
        /**
         * Checks the close delay.
         *
         * @param closeAfter when to close with a FIN, not negative; empty for never
         * @throws IllegalArgumentException if it is negative
         */
        public Blackhole {
            Objects.requireNonNull(closeAfter, "closeAfter");
            closeAfter.ifPresent(d -> requireNonNegative(d, "a blackhole's close delay"));
        }

        @Override
        public String describe() {
            return "blackhole" + closeAfter.map(d -> ", close after " + d.toMillis() + "ms").orElse("");
        }
    }

    /**
     * A slow close. See {@link Effect#slowClose(Duration)}.
     *
     * @param delay how long the close waits, not negative
     */
    record SlowClose(Duration delay) implements Effect {
        /**
         * Checks the delay.
         *
         * @param delay how long the close waits, not negative
         * @throws IllegalArgumentException if it is negative
         */
        public SlowClose {
            requireNonNegative(delay, "a close delay");
        }

        @Override
        public String describe() {
            return "slow close " + delay.toMillis() + "ms";
        }
    }

    /** A half-close. See {@link Effect#halfClose()}. */
    record HalfClose() implements Effect {
        static final HalfClose INSTANCE = new HalfClose();

        @Override
        public String describe() {
            return "half-close";
        }
    }

    private static void requireNonNegative(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + duration.toMillis() + " ms");
        }
    }
}
