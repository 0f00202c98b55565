package dev.netfault.internal;

import dev.netfault.Connections;
import dev.netfault.Requests;
import java.util.SplittableRandom;

/**
 * The engine's side of {@link Connections} and {@link Requests}: whether a connection or a request
 * is selected. Kept out of the public types, which say only which ones a fault means.
 */
public final class Selections {

    private Selections() {
    }

    /**
     * {@return whether the connection with this accept index (1-based) is selected, under a seed}
     *
     * @param which the selection
     * @param index the connection's position in accept order, from 1
     * @param seed the listener's seed; only {@link Connections.Probability} uses it
     */
    public static boolean matches(Connections which, long index, long seed) {
        if (which instanceof Connections.All) {
            return true;
        }
        if (which instanceof Connections.First first) {
            return index <= first.count();
        }
        if (which instanceof Connections.Nth nth) {
            return index == nth.index();
        }
        if (which instanceof Connections.EveryNth every) {
            return index % every.n() == 0;
        }
        Connections.Probability p = (Connections.Probability) which;
        return new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L)).nextDouble() < p.probability();
    }

    /**
     * {@return whether this request is selected}
     *
     * @param which the selection
     * @param request the request's number across the listener, from 1
     * @param onConnection the request's number on its connection, from 1
     * @param seed the listener's seed; only {@link Requests.Probability} uses it
     */
    public static boolean matches(Requests which, long request, long onConnection, long seed) {
        if (which instanceof Requests.All) {
            return true;
        }
        if (which instanceof Requests.First first) {
            return request <= first.count();
        }
        if (which instanceof Requests.Nth nth) {
            return request == nth.index();
        }
        if (which instanceof Requests.EveryNth every) {
            return request % every.n() == 0;
        }
        if (which instanceof Requests.NthOnConnection nth) {
            return onConnection == nth.index();
        }
        Requests.Probability p = (Requests.Probability) which;
        // Another mix than for connections, so that connection n and request n draw independently.
        return new SplittableRandom(seed ^ (request * 0xC2B2AE3D27D4EB4FL) ^ 0x165667B19E3779F9L).nextDouble() < p.probability();
    }
}
