package dev.netfault;

/**
 * Which of a listener's connections a fault applies to, counted in accept order from 1.
 *
 * @since 0.1
 */
public sealed interface Connections permits Connections.All, Connections.First, Connections.Nth, Connections.EveryNth,
        Connections.Probability {

    /** {@return every connection} */
    static All all() {
        return All.INSTANCE;
    }

    /**
     * {@return the first {@code count} connections} Later ones pass untouched (a fault that heals).
     *
     * @param count at least 1
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    static First first(int count) {
        return new First(count);
    }

    /**
     * {@return only the {@code index}-th connection (1 is the first)}
     *
     * @param index at least 1
     * @throws IllegalArgumentException if {@code index} is less than 1
     */
    static Nth nth(int index) {
        return new Nth(index);
    }

    /**
     * {@return every {@code n}-th connection: the n-th, the 2n-th, and so on}
     *
     * @param n at least 1
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static EveryNth everyNth(int n) {
        return new EveryNth(n);
    }

    /**
     * {@return each connection with probability {@code probability}} The draw comes from the listener's
     * seed, so that a run is replayed exactly with the same seed (see
     * {@code FaultListener.Builder#seed}).
     *
     * @param probability from 0 (none) to 1 (every connection)
     * @throws IllegalArgumentException if {@code probability} is not from 0 to 1
     */
    static Probability withProbability(double probability) {
        return new Probability(probability);
    }


    /** {@return a short human-readable form, such as {@code "the first 2 connections"}} */
    String describe();

    /** Every connection. */
    record All() implements Connections {
        static final All INSTANCE = new All();


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
        /**
         * Checks the count.
         *
         * @param count at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public First {
            if (count < 1) {
                throw new IllegalArgumentException("the number of first connections must be at least 1, but was " + count);
            }
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
        /**
         * Checks the index.
         *
         * @param index at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public Nth {
            if (index < 1) {
                throw new IllegalArgumentException("a connection number must be at least 1 (the first), but was " + index);
            }
        }


        @Override
        public String describe() {
            return "connection #" + index;
        }
    }

    /**
     * Every n-th connection.
     *
     * @param n at least 1
     */
    record EveryNth(int n) implements Connections {
        /**
         * Checks n.
         *
         * @param n at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public EveryNth {
            if (n < 1) {
                throw new IllegalArgumentException("every n-th connection needs n of at least 1, but was " + n);
            }
        }


        @Override
        public String describe() {
            return n == 1 ? "every connection" : "every " + dev.netfault.internal.Ordinals.of(n) + " connection";
        }
    }

    /**
     * Each connection with a probability, drawn from the seed and the connection's index (so the
     * draw does not depend on timing or on other connections).
     *
     * @param probability from 0 to 1
     */
    record Probability(double probability) implements Connections {
        /**
         * Checks the probability.
         *
         * @param probability from 0 to 1
         * @throws IllegalArgumentException if it is not from 0 to 1
         */
        public Probability {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("a probability must be from 0 to 1, but was " + probability);
            }
        }


        @Override
        public String describe() {
            return "each connection with probability " + probability;
        }
    }
}
