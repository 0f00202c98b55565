package dev.netfault;

import java.time.Duration;
import java.util.Objects;

/**
 * What a fault does to a connection when its {@link Trigger} fires. Effects are immutable values.
 *
 * <p>Every effect is real TCP: the client's kernel sees exactly what it would see from a real peer.
 *
 * @since 0.1
 */
public sealed interface Effect permits Effect.Reset, Effect.Stall, Effect.Close, Effect.Delay {

    /**
     * Abort the connection with a real RST (the listener closes the client's socket with
     * {@code SO_LINGER} 0). The upstream connection, if any, is closed.
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
     * Freeze the connection: from then on nothing is read from or sent to either side, as with a
     * hung server. The client's read blocks until its own read timeout
     * ({@code SocketTimeoutException: Read timed out}); its writes succeed until the buffers fill.
     */
    static Stall stall() {
        return Stall.INSTANCE;
    }

    /**
     * Close the connection with a FIN (an orderly close): the client's read returns -1 (end of
     * stream). Anything the client still sends is read and discarded, so no RST follows.
     */
    static Close close() {
        return Close.INSTANCE;
    }

    /**
     * Pause the connection for a time, then carry on. With a byte trigger, only that direction
     * pauses, exactly at that offset; on accept or after a duration, both directions pause.
     *
     * @param duration how long to pause, not negative
     */
    static Delay delay(Duration duration) {
        return new Delay(duration);
    }

    /** {@return a short human-readable form, such as {@code "reset"} or {@code "delay 200ms"}} */
    String describe();

    /** {@return whether the effect ends the connection (a reset, a close or a stall)} */
    default boolean isTerminal() {
        return !(this instanceof Delay);
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
}
