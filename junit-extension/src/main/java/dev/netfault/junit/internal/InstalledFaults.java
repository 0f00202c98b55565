package dev.netfault.junit.internal;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one test's annotations opened. Lives in the test's extension store, so JUnit (5.13 and later)
 * closes it after the test whatever its outcome; with JUnit's closing of stored {@code AutoCloseable}s
 * switched off, the extension closes it after the test itself. The hang guard may release it earlier.
 * Not a {@code Store.CloseableResource}: deprecated since JUnit 5.13, it may leave JUnit 6.
 */
public final class InstalledFaults implements AutoCloseable {

    private final FaultListener listener;
    private final HeldPort heldPort;
    private final List<String> summary;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Deque<AutoCloseable> owned = new ConcurrentLinkedDeque<>();
    /** The socket agent rules aimed at a target, with what made each (for the "reached nothing" check). */
    private final List<Aimed> aimed = new CopyOnWriteArrayList<>();
    /** Everything the test opened besides the annotations' listener and port, in order, kept for the report after closing. */
    private final List<AutoCloseable> history = new CopyOnWriteArrayList<>();
    private final Instant installedAt = Instant.now();
    private volatile GuardFired guardFired;
    /** The annotation that made each of the listener's faults; faults added in code have none. */
    private volatile java.util.Map<dev.netfault.Fault, String> faultSources = java.util.Map.of();

    /** What the hang guard did when it fired: when, after which timeout, and where the test was blocked. */
    public record GuardFired(Instant at, Duration timeout, String diagnosis) {
    }

    /** An agent rule of the test with what made it. */
    public record RuleSource(AgentRule rule, String source) {
    }

    /** A rule aimed at a target and where it came from, such as {@code "@TimeOutConnections on method 'x()'"}. */
    private record Aimed(AgentRule rule, String source) {
    }

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
        history.add(resource);
        return resource;
    }

    /** Like {@link #own}, for a socket agent rule aimed at a target: it must reach something before the test ends. */
    public AgentRule aim(AgentRule rule, String source) {
        own(rule);
        aimed.add(new Aimed(rule, source));
        return rule;
    }

    /**
     * {@return why the test's aimed rules did not all happen, or empty when each reached at least one
     * connection, lookup or accept} Empty too once the faults were released early (by the hang guard).
     */
    public Optional<String> unmatched() {
        if (closed.get()) {
            return Optional.empty();
        }
        List<Aimed> missed = aimed.stream().filter(a -> a.rule().matches() == 0 || a.rule().unreached() > 0).toList();
        if (missed.isEmpty()) {
            return Optional.empty();
        }
        boolean partly = missed.stream().anyMatch(a -> a.rule().matches() > 0);
        StringBuilder s = new StringBuilder("netfault: ").append(missed.size() == 1 ? "a fault" : missed.size() + " faults")
                .append(partly ? " of this test could not reach every connection it was aimed at, so the test may have passed without"
                        + " meeting " : " of this test reached nothing it was aimed at, so the test proved nothing about ")
                .append(missed.size() == 1 ? "it" : "them").append(':');
        for (Aimed a : missed) {
            s.append("\n  - ").append(a.source()).append(": ").append(a.rule().describe()).append(" (").append(a.rule().describeMatches())
                    .append(')');
        }
        s.append("\nLikely causes:")
                .append("\n  1. The application's connections were opened before the agent was installed (a pool or client made in")
                .append("\n     a static field, @BeforeAll or a cached application context): netfault reaches connections opened before a")
                .append("\n     rule only when the agent saw them open. Fix: put @EnableNetFault on the test class (it installs the agent")
                .append("\n     before @BeforeAll methods run), or load netfault with -javaagent (see the README).")
                .append("\n  2. The application connects or resolves through something netfault does not cover (a transport that")
                .append("\n     bypasses the JDK's sockets, or its own DNS resolver). Fix: see the README's transparent-mode coverage table,")
                .append("\n     or aim the fault at a FaultListener's address that you give the application.")
                .append("\n  3. The target does not match what the application used: another host name, address or port (a port")
                .append("\n     chosen at run time, a different loopback address, IPv6). Fix: aim at the host and port the application is")
                .append("\n     configured with, or at the port alone (\":5432\").")
                .append("\n  4. The application never connected during the test (the test's code path does not reach the network).")
                .append("\nTo report this as a warning in the test report instead of a failure, set the configuration parameter ")
                .append(dev.netfault.junit.NetFaultConfig.UNMATCHED_PROPERTY_NAME).append("=warn.");
        return Optional.of(s.toString());
    }

    /** Records which annotation made each fault of the annotations' listener, for messages. */
    void faultSources(java.util.Map<dev.netfault.Fault, String> sources) {
        faultSources = java.util.Map.copyOf(sources);
    }

    /**
     * {@return why request and idle faults of the test's listeners never fired, or empty when each
     * fired at least once} Empty too once the faults were released early (by the hang guard).
     */
    public Optional<String> missedRequestFaults() {
        if (closed.get()) {
            return Optional.empty();
        }
        return MissedRequestFaults.check(listeners(), faultSources);
    }

    /** {@return the requests an exchange trigger selects; empty for the other triggers} */
    public static Optional<dev.netfault.Requests> requests(dev.netfault.Trigger trigger) {
        return MissedRequestFaults.requests(trigger);
    }

    /** {@return when these faults were installed} */
    public Instant installedAt() {
        return installedAt;
    }

    /** {@return whether nothing was installed: no listener, port or rule} */
    public boolean isEmpty() {
        return listener == null && heldPort == null && history.isEmpty();
    }

    /** {@return every listener of the test: the annotations' first, then those started in code; still there once closed} */
    public List<FaultListener> listeners() {
        List<FaultListener> all = new ArrayList<>();
        if (listener != null) {
            all.add(listener);
        }
        history.stream().filter(FaultListener.class::isInstance).map(FaultListener.class::cast).forEach(all::add);
        return all;
    }

    /** {@return every socket agent rule of the test, in the order they were made, with what made each} */
    public List<RuleSource> rules() {
        List<RuleSource> all = new ArrayList<>();
        for (AutoCloseable resource : history) {
            if (resource instanceof AgentRule rule) {
                String source = aimed.stream().filter(a -> a.rule() == rule).map(Aimed::source).findFirst().orElse("made in code");
                all.add(new RuleSource(rule, source));
            }
        }
        return all;
    }

    /** {@return every port the test holds} */
    public List<HeldPort> heldPorts() {
        List<HeldPort> all = new ArrayList<>();
        if (heldPort != null) {
            all.add(heldPort);
        }
        history.stream().filter(HeldPort.class::isInstance).map(HeldPort.class::cast).forEach(all::add);
        return all;
    }

    /** Records that the hang guard fired, for the report; called by the guard before it releases the faults. */
    void hangGuardFired(Duration timeout, String diagnosis) {
        guardFired = new GuardFired(Instant.now(), timeout, diagnosis);
    }

    /** {@return what the hang guard did, if it fired} */
    public Optional<GuardFired> guardFired() {
        return Optional.ofNullable(guardFired);
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
