package dev.netfault.junit.requests;

import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.WebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import dev.netfault.testsupport.Waiting;

/**
 * What the real-client tests of this package share: a real HTTP server behind a fault listener, both
 * closed after the test, the idle pause of a pooled connection, and what the journal says about
 * which connection each request used.
 */
final class Pooled implements AutoCloseable {

    /** The idle time after which the race fires, and the pause that exceeds it (the scenario itself, not a wait). */
    static final Duration IDLE_FAULT = Duration.ofMillis(300);
    static final Duration PAUSE = Duration.ofMillis(450);

    final WebServer server = WebServer.answering("hello");
    private final List<AutoCloseable> owned = new ArrayList<>();

    FaultListener inFrontOf(Fault... faults) {
        FaultListener listener = FaultListener.inFrontOf(server.address()).name("pooled").fault(faults)
                // Clients keep pooled connections (HttpURLConnection's keep-alive cache outlives the test): end them with
                // the listener, so that no relay thread lives on into later tests that check for leftovers.
                .resetConnectionsOnClose().start();
        owned.add(listener);
        return listener;
    }

    <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** A pooled connection idles past {@link #IDLE_FAULT}. */
    static void idle(FaultListener listener) {
        Waiting.quietFor(PAUSE, listener.journal()::totalBytes);
    }

    /** {@return the connection of each request, in the order they started} */
    static List<Long> connectionsOf(FaultListener listener) {
        return listener.journal().exchanges().stream().map(Exchange::connection).toList();
    }

    /** {@return for each request, whether a fault fired in it} */
    static List<Boolean> faultedOf(FaultListener listener) {
        return listener.journal().exchanges().stream().map(e -> !e.faults().isEmpty()).toList();
    }

    @Override
    public void close() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        server.close();
    }
}
