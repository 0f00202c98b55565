package dev.netfault.catalogue;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.RecordingServer;
import java.util.ArrayDeque;
import java.util.Deque;

/** What a test opened, closed after it in reverse order. */
final class Owned implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /** {@return a started stand-alone listener that echoes, with {@code faults}} */
    FaultListener echo(Fault... faults) {
        return own(FaultListener.standalone().name("catalogue-echo").echo().fault(faults).start());
    }

    /** {@return a started listener in front of {@code server} (which this also owns), with {@code faults}} */
    FaultListener inFrontOf(RecordingServer server, Fault... faults) {
        own(server);
        return own(FaultListener.inFrontOf(server.address()).name("catalogue-proxy").fault(faults).start());
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
