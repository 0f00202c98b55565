package dev.netfault;

/**
 * The direction of a byte stream through a fault listener.
 *
 * @since 0.1
 */
public enum Direction {
    /** Bytes the client sends: its request, on their way to the upstream (or discarded by a stand-alone listener). */
    FROM_CLIENT,
    /** Bytes the client receives: the upstream's response (or the echo of a stand-alone echo listener). */
    TO_CLIENT;

    /** {@return a short human-readable form, such as {@code "from the client"}} */
    public String describe() {
        return this == FROM_CLIENT ? "from the client" : "to the client";
    }
}
