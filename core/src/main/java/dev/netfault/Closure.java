package dev.netfault;

/**
 * How one side of a connection ended, as recorded in the {@link Journal}.
 *
 * @since 0.1
 */
public enum Closure {
    /** Still open (or left open: a leaked or stalled connection). */
    OPEN,
    /** An orderly close: a FIN. */
    FIN,
    /** An abort: a RST. */
    RST
}
