package dev.netfault;

/**
 * Which requests (client turns) an exchange trigger selects. A request is what the client sends
 * after the server last spoke (or since it connected); see {@link Trigger#onRequest(Requests)}.
 *
 * <p>Requests are numbered two ways, both from 1: across the listener, in the order they start on
 * any of its connections ({@link #first}, {@link #nth}, {@link #everyNth}, {@link #withProbability}),
 * and on their own connection ({@link #nthOnConnection}). Every request counts, including those a
 * fault broke and those on connections the fault does not select, so "fail the first two requests,
 * serve the third" is {@code Fault.reset().onRequest(Requests.first(2))} whichever connections the
 * client uses for them. Immutable values, mirroring {@link Connections}.
 *
 * @since 0.1
 */
public sealed interface Requests permits Requests.All, Requests.First, Requests.Nth, Requests.EveryNth, Requests.Probability,
        Requests.NthOnConnection {

    /** {@return every request} */
    static All all() {
        return All.INSTANCE;
    }

    /**
     * {@return the first {@code count} requests across the listener} Later ones pass untouched (a fault
     * that heals: "fail twice, then recover").
     *
     * @param count at least 1
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    static First first(int count) {
        return new First(count);
    }

    /**
     * {@return only the {@code index}-th request across the listener (1 is the first)}
     *
     * @param index at least 1
     * @throws IllegalArgumentException if {@code index} is less than 1
     */
    static Nth nth(int index) {
        return new Nth(index);
    }

    /**
     * {@return every {@code n}-th request across the listener: the n-th, the 2n-th, and so on}
     *
     * @param n at least 1
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static EveryNth everyNth(int n) {
        return new EveryNth(n);
    }

    /**
     * {@return each request with probability {@code probability}} The draw comes from the listener's
     * seed and the request's number across the listener, so that a run is replayed exactly with the
     * same seed and the same order of requests.
     *
     * @param probability from 0 (none) to 1 (every request)
     * @throws IllegalArgumentException if {@code probability} is not from 0 to 1
     */
    static Probability withProbability(double probability) {
        return new Probability(probability);
    }

    /**
     * {@return the {@code index}-th request of each connection} 1 is the first; 2 is the first request on
     * a reused keep-alive or pooled connection.
     *
     * @param index at least 1
     * @throws IllegalArgumentException if {@code index} is less than 1
     */
    static NthOnConnection nthOnConnection(int index) {
        return new NthOnConnection(index);
    }


    /** {@return a short human-readable form, such as {@code "the first 2 requests"}} */
    String describe();

    /** Every request. */
    record All() implements Requests {
        static final All INSTANCE = new All();


        @Override
        public String describe() {
            return "every request";
        }
    }

    /**
     * The first {@code count} requests across the listener.
     *
     * @param count at least 1
     */
    record First(int count) implements Requests {
        /**
         * Checks the count.
         *
         * @param count at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public First {
            if (count < 1) {
                throw new IllegalArgumentException("the number of first requests must be at least 1, but was " + count
                        + ". Fix: give how many requests, from the first, the fault selects (Requests.all() for every request)");
            }
        }


        @Override
        public String describe() {
            return count == 1 ? "the first request" : "the first " + count + " requests";
        }
    }

    /**
     * Only the {@code index}-th request across the listener.
     *
     * @param index at least 1
     */
    record Nth(int index) implements Requests {
        /**
         * Checks the index.
         *
         * @param index at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public Nth {
            if (index < 1) {
                throw new IllegalArgumentException("a request number must be at least 1 (the first), but was " + index);
            }
        }


        @Override
        public String describe() {
            return "request #" + index;
        }
    }

    /**
     * Every n-th request across the listener.
     *
     * @param n at least 1
     */
    record EveryNth(int n) implements Requests {
        /**
         * Checks n.
         *
         * @param n at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public EveryNth {
            if (n < 1) {
                throw new IllegalArgumentException("every n-th request needs n of at least 1, but was " + n);
            }
        }


        @Override
        public String describe() {
            return n == 1 ? "every request" : "every " + dev.netfault.internal.Ordinals.of(n) + " request";
        }
    }

    /**
     * Each request with a probability, drawn from the seed and the request's number across the
     * listener (not from timing).
     *
     * @param probability from 0 to 1
     */
    record Probability(double probability) implements Requests {
        /**
         * Checks the probability.
         *
         * @param probability from 0 to 1
         * @throws IllegalArgumentException if it is not from 0 to 1
         */
        public Probability {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("a request probability must be from 0 to 1, but was " + probability);
            }
        }


        @Override
        public String describe() {
            return "each request with probability " + probability;
        }
    }

    /**
     * The index-th request of each connection.
     *
     * @param index at least 1
     */
    record NthOnConnection(int index) implements Requests {
        /**
         * Checks the index.
         *
         * @param index at least 1
         * @throws IllegalArgumentException if it is less than 1
         */
        public NthOnConnection {
            if (index < 1) {
                throw new IllegalArgumentException("a request number on a connection must be at least 1 (its first request), but was " + index);
            }
        }


        @Override
        public String describe() {
            return "request #" + index + " of each connection";
        }
    }
}
