package dev.netfault.junit.internal;

import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What one test's annotations opened. Lives in the test's extension store, so JUnit closes it after
 * the test whatever its outcome; the hang guard may release it earlier.
 */
@SuppressWarnings("deprecation") // CloseableResource: for JUnit before 5.13, which does not close AutoCloseable store values
public final class InstalledFaults implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final FaultListener listener;
    private final HeldPort heldPort;
    private final List<String> summary;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Deque<AutoCloseable> owned = new ConcurrentLinkedDeque<>();

    /** {@return installed faults with nothing in them yet, for faults made in code} */
    public static InstalledFaults empty() {
        return new InstalledFaults(null, null, List.of("faults made in code"));
    }

    InstalledFaults(FaultListener listener, HeldPort heldPort, List<String> summary) {
        this.listener = listener;
        this.heldPort = heldPort;
        this.summary = summary;
    }

    /** Closes {@code resource} with the test's faults, before the annotations' listener (last in, first out). */
    public <T extends AutoCloseable> T own(T resource) {
        if (closed.get()) {
            closeQuietly(resource);
            throw new IllegalStateException("the test's faults were already removed");
        }
        owned.push(resource);
        return resource;
    }

    public Optional<FaultListener> listener() {
        return Optional.ofNullable(listener);
    }

    public Optional<HeldPort> heldPort() {
        return Optional.ofNullable(heldPort);
    }

    public List<String> summary() {
        return summary;
    }

    /** {@return where the faults are, for messages} */
    public String where() {
        StringBuilder s = new StringBuilder();
        if (listener != null) {
            s.append("listener ").append(listener.host()).append(':').append(listener.port());
            listener.upstream().ifPresent(u -> s.append(" in front of ").append(u.getHostString()).append(':').append(u.getPort()));
        }
        if (heldPort != null) {
            s.append(s.length() == 0 ? "" : ", ").append("held port ").append(heldPort.port());
        }
        return s.toString();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            AutoCloseable next;
            while ((next = owned.poll()) != null) {
                closeQuietly(next);
            }
            try {
                if (listener != null) {
                    listener.close();
                }
            } finally {
                if (heldPort != null) {
                    heldPort.close();
                }
            }
        }
    }

    /**
     * Releases the faults the hard way, for the hang guard: every connection the test's listeners
     * hold is reset (a real RST), relayed ones too, so that a client blocked without a timeout fails
     * instead of hanging, then everything is closed. (A plain {@link #close()} lets relayed
     * connections live on as pass-through, and a read blocked on a blackholed connection would never
     * return.)
     */
    public void resetConnectionsAndClose() {
        if (closed.get()) {
            return;
        }
        for (AutoCloseable resource : owned) {
            if (resource instanceof FaultListener started) {
                resetQuietly(started);
            }
        }
        if (listener != null) {
            resetQuietly(listener);
        }
        close();
    }

    private static void resetQuietly(FaultListener listener) {
        try {
            listener.resetOpenConnections();
        } catch (RuntimeException e) {
            // closed meanwhile (the test ended after all): nothing left to reset
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // a rule or listener that fails to close must not keep the others open
        }
    }
}
