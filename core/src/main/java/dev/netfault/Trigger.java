package dev.netfault;

import java.time.Duration;
import java.util.Objects;

/**
 * When a fault fires on a connection. Triggers are immutable values.
 *
 * @since 0.1
 */
public sealed interface Trigger permits Trigger.OnAccept, Trigger.AfterBytes, Trigger.AfterDuration {

    /** Fire as soon as the listener accepts the connection, before any byte is relayed. */
    static OnAccept onAccept() {
        return OnAccept.INSTANCE;
    }

    /**
     * Fire after exactly {@code bytes} bytes went through in {@code direction}: the listener relays
     * exactly that many bytes (not "somewhere in the next chunk") and fires before the next byte.
     *
     * @param direction which stream to count
     * @param bytes the byte offset, not negative; 0 fires before the first byte of that direction
     */
    static AfterBytes afterBytes(Direction direction, long bytes) {
        return new AfterBytes(direction, bytes);
    }

    /**
     * Fire once the connection has been open (accepted) for {@code duration}, whatever went through.
     *
     * @param duration the time since accept, not negative
     */
    static AfterDuration after(Duration duration) {
        return new AfterDuration(duration);
    }

    /** {@return a short human-readable form, such as {@code "after 100 bytes to the client"}} */
    String describe();

    /** Fires on accept. See {@link Trigger#onAccept()}. */
    record OnAccept() implements Trigger {
        static final OnAccept INSTANCE = new OnAccept();

        @Override
        public String describe() {
            return "on accept";
        }
    }

    /**
     * Fires at an exact byte offset. See {@link Trigger#afterBytes(Direction, long)}.
     *
     * @param direction which stream to count
     * @param bytes the offset, not negative
     */
    record AfterBytes(Direction direction, long bytes) implements Trigger {
        public AfterBytes {
            Objects.requireNonNull(direction, "direction");
            if (bytes < 0) {
                throw new IllegalArgumentException("a byte offset must not be negative, but was " + bytes);
            }
        }

        @Override
        public String describe() {
            return "after " + bytes + " bytes " + direction.describe();
        }
    }

    /**
     * Fires after a time. See {@link Trigger#after(Duration)}.
     *
     * @param duration the time since accept, not negative
     */
    record AfterDuration(Duration duration) implements Trigger {
        public AfterDuration {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a trigger time must not be negative, but was " + duration.toMillis() + " ms");
            }
        }

        @Override
        public String describe() {
            return "after " + duration.toMillis() + "ms";
        }
    }
}
