package dev.netfault.junit.internal.report;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.FiredFault;
import dev.netfault.HeldPort;
import dev.netfault.JournalEvent;
import dev.netfault.junit.internal.InstalledFaults;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of what one test's faults did, taken at the end of the test: the journals of its
 * listeners, its socket agent rules, its held ports and its hang guard. The text timeline, the
 * report entry, {@code timeline.html} and {@code journal.json} are all rendered from it.
 *
 * @param test the test's name for people, such as {@code "MyTests > connects()"}
 * @param start the origin of every relative time: when the test started
 * @param end when the snapshot was taken
 * @param failed whether the test failed
 * @param listeners the test's listeners, labelled L1, L2, ...
 * @param rules the test's socket agent rules
 * @param heldPorts the ports the test held
 * @param guard the hang guard
 */
record FaultReport(String test, Instant start, Instant end, boolean failed, List<Listener> listeners, List<Rule> rules,
        List<Integer> heldPorts, Guard guard) {

    /** A listener: its label ({@code L1}), name, address, upstream, faults, connections and events. */
    public record Listener(String label, String name, String address, Optional<String> upstream, List<String> faults,
            List<ConnectionRecord> connections, List<JournalEvent> events) {
    }

    /** A socket agent rule: what it does, what made it, what it reached. */
    public record Rule(String describe, String source, long matches, String describeMatches, long unreached) {
    }

    /**
     * The hang guard: its timeout (zero when off) and, if it fired, when and what it saw.
     *
     * @param timeout the guard's timeout, zero when it was off
     * @param fired when it fired, if it did
     * @param diagnosis where the test was blocked when it fired, empty if it did not
     */
    public record Guard(Duration timeout, Optional<Instant> fired, String diagnosis) {

        /** {@return "idle", "off" or "fired"} */
        public String state() {
            return fired.isPresent() ? "fired" : timeout.isZero() ? "off" : "idle";
        }
    }

    /** One connection with the listener it came through, for lanes and counts. */
    public record Lane(Listener listener, ConnectionRecord connection) {

        /** {@return "#2", or "L2 #2" when the test has several listeners} */
        public String label(boolean several) {
            return (several ? listener.label() + " " : "") + "#" + connection.id();
        }
    }

    /** Takes the snapshot. */
    public static FaultReport of(String test, Instant start, boolean failed, InstalledFaults faults, Duration hangTimeout) {
        List<Listener> listeners = new ArrayList<>();
        int n = 0;
        for (FaultListener listener : faults.listeners()) {
            listeners.add(new Listener("L" + ++n, listener.name(), address(listener.address()), listener.upstream().map(FaultReport::address),
                    listener.faults().stream().map(Fault::describe).toList(), listener.journal().connections(), listener.journal().events()));
        }
        List<Rule> rules = faults.rules().stream()
                .map(r -> new Rule(r.rule().describe(), r.source(), r.rule().matches(), r.rule().describeMatches(), r.rule().unreached()))
                .toList();
        List<Integer> ports = faults.heldPorts().stream().map(HeldPort::port).toList();
        Optional<InstalledFaults.GuardFired> fired = faults.guardFired();
        Guard guard = new Guard(fired.map(InstalledFaults.GuardFired::timeout).orElse(hangTimeout), fired.map(InstalledFaults.GuardFired::at),
                fired.map(InstalledFaults.GuardFired::diagnosis).orElse(""));
        return new FaultReport(test, start, Instant.now(), failed, List.copyOf(listeners), rules, ports, guard);
    }

    static String address(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** {@return whether several listeners must be told apart} */
    public boolean severalListeners() {
        return listeners.size() > 1;
    }

    /** {@return every connection, listener by listener, in accept order} */
    public List<Lane> lanes() {
        List<Lane> lanes = new ArrayList<>();
        for (Listener listener : listeners) {
            for (ConnectionRecord connection : listener.connections()) {
                lanes.add(new Lane(listener, connection));
            }
        }
        return lanes;
    }

    /** {@return milliseconds from the test's start to {@code at}, never negative} */
    public double millis(Instant at) {
        return Math.max(0, Duration.between(start, at).toNanos() / 1e6);
    }

    /** {@return how long the snapshot spans, in milliseconds} */
    public double spanMillis() {
        return millis(end);
    }

    /** {@return the one-line summary, such as "1 listener, 3 connections, 2 faults fired (reset x2), 2 RST sent, hang guard idle"} */
    public String summary() {
        List<String> parts = new ArrayList<>();
        List<Lane> lanes = lanes();
        if (!listeners.isEmpty()) {
            parts.add(count(listeners.size(), "listener"));
            parts.add(count(lanes.size(), "connection"));
            Map<String, Integer> effects = new LinkedHashMap<>();
            int fired = 0;
            for (Lane lane : lanes) {
                for (FiredFault f : lane.connection().faults()) {
                    effects.merge(effectName(f.fault()), 1, Integer::sum);
                    fired++;
                }
            }
            List<String> kinds = new ArrayList<>();
            effects.forEach((effect, times) -> kinds.add(times == 1 ? effect : effect + " x" + times));
            parts.add(count(fired, "fault") + " fired" + (kinds.isEmpty() ? "" : " (" + String.join(", ", kinds) + ")"));
            long rst = lanes.stream().filter(l -> l.connection().listenerClosure() == Closure.RST).count();
            long fin = lanes.stream().filter(l -> l.connection().listenerClosure() == Closure.FIN).count();
            if (rst + fin > 0) {
                parts.add((rst > 0 ? rst + " RST" : "") + (rst > 0 && fin > 0 ? " and " : "") + (fin > 0 ? fin + " FIN" : "") + " sent");
            }
            long clientRst = lanes.stream().filter(l -> l.connection().clientClosure() == Closure.RST).count();
            if (clientRst > 0) {
                parts.add(clientRst + " RST from clients");
            }
        }
        if (!rules.isEmpty()) {
            long matches = rules.stream().mapToLong(Rule::matches).sum();
            parts.add(count(rules.size(), "agent rule") + " (" + count(matches, "match") + ")");
        }
        if (!heldPorts.isEmpty()) {
            parts.add(count(heldPorts.size(), "held port"));
        }
        parts.add("hang guard " + (guard.fired().isPresent() ? "fired at +" + ms(millis(guard.fired().get())) : guard.state()));
        return String.join(", ", parts);
    }

    /** {@return the effect's short name, such as "reset" or "latency"} */
    static String effectName(Fault fault) {
        String described = fault.effect().describe();
        int space = described.indexOf(' ');
        return space < 0 ? described : described.substring(0, space);
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("ch") ? "es" : "s");
    }

    /** {@return a duration for people: "10 s", "500 ms"} */
    static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** {@return milliseconds for people: "15 ms", "0.4 ms"} */
    static String ms(double millis) {
        return (millis < 10 ? String.format(java.util.Locale.ROOT, "%.1f", millis) : String.valueOf(Math.round(millis))) + " ms";
    }
}
