package dev.netfault;

/**
 * Which of a listener's connections a fault applies to, counted in accept order from 1.
 *
 * @since 0.1
 */
public sealed interface Connections permits Connections.All, Connections.First, Connections.Nth {

    /** Every connection. */
    static All all() {
        return All.INSTANCE;
    }

    /**
     * The first {@code count} connections; later ones pass untouched (a fault that heals).
     *
     * @param count at least 1
     */
    static First first(int count) {
        return new First(count);
    }

    /**
     * Only the {@code index}-th connection (1 is the first).
     *
     * @param index at least 1
     */
    static Nth nth(int index) {
        return new Nth(index);
    }

    /**
     * {@return whether the connection with this accept index (1-based) is selected}
     *
     * @param index the connection's position in accept order, from 1
     */
    boolean matches(long index);

    /** {@return a short human-readable form, such as {@code "the first 2 connections"}} */
    String describe();

    /** Every connection. */
    record All() implements Connections {
        static final All INSTANCE = new All();

        @Override
        public boolean matches(long index) {
            return true;
        }

        @Override
        public String describe() {
            return "every connection";
        }
    }

    /**
     * The first {@code count} connections.
     *
     * @param count at least 1
     */
    record First(int count) implements Connections {
        public First {
            if (count < 1) {
                throw new IllegalArgumentException("the number of first connections must be at least 1, but was " + count);
            }
        }

        @Override
        public boolean matches(long index) {
            return index <= count;
        }

        @Override
        public String describe() {
            return count == 1 ? "the first connection" : "the first " + count + " connections";
        }
    }

    /**
     * Only the {@code index}-th connection.
     *
     * @param index at least 1
     */
    record Nth(int index) implements Connections {
        public Nth {
            if (index < 1) {
                throw new IllegalArgumentException("a connection number must be at least 1 (the first), but was " + index);
            }
        }

        @Override
        public boolean matches(long candidate) {
            return candidate == index;
        }

        @Override
        public String describe() {
            return "connection #" + index;
        }
    }
}
