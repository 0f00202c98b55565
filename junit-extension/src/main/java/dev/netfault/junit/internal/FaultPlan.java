package dev.netfault.junit.internal;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.ListenerDown;
import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.Reset;
import dev.netfault.junit.SlowAccept;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test's annotations ask for, validated: at most one fault listener (with its accept policy,
 * faults and upstream), a held port and the socket agent's rules. Made in three steps: reading the
 * annotations into declared values, validating them (each rule checked once, here), and wiring the
 * listener. Every misuse fails before anything is opened.
 */
public final class FaultPlan {

    private final FaultListener.Builder listener;
    private final boolean holdPort;
    private final List<String> summary;
    private Target target;
    /** The annotation that named {@link #target}, for messages. */
    private String targetSource;
    private AgentPlan agent;
    private boolean startDown;
    /** The annotation that made each fault, for the check that request faults fired. */
    private final Map<Fault, String> faultSources = new LinkedHashMap<>();

    private FaultPlan(FaultListener.Builder listener, boolean holdPort, List<String> summary) {
        this.listener = listener;
        this.holdPort = holdPort;
        this.summary = summary;
    }

    /**
     * Reads, validates and wires the netfault annotations that apply to the test.
     *
     * @throws ExtensionConfigurationException naming the annotation, the element, the rule and the fix
     */
    public static FaultPlan of(ExtensionContext context) {
        Declarations declared = read(context);
        Checked checked = validate(context, declared);
        return wire(context, declared, checked);
    }

    /** A value an annotation declares, with the annotation, for messages. */
    private record Given<T>(Declared<?> source, T value) {
    }

    /**
     * What the annotations declare, read once: each listener fault with its own attributes checked
     * (by {@link ListenerFaults}), targets parsed by {@link Target#parse}, nothing compared yet.
     */
    private record Declarations(List<Declared<LeakedServerSockets>> leaks, List<Declared<SlowAccept>> slow,
            List<Declared<ListenerDown>> down, List<Given<Fault>> faults, List<Given<Target>> targets, List<Given<String>> upstreams,
            AgentPlan agent, List<String> agentSummary, Optional<String> seed) {

        Set<LeakedServerSockets.Leak> leakKinds() {
            Set<LeakedServerSockets.Leak> kinds = EnumSet.noneOf(LeakedServerSockets.Leak.class);
            leaks.forEach(leak -> kinds.addAll(Arrays.asList(leak.annotation().value())));
            return kinds;
        }

        boolean leakyServer() {
            return leakKinds().contains(LeakedServerSockets.Leak.CONNECTIONS);
        }

        boolean needsListener() {
            return leakyServer() || !slow.isEmpty() || !faults.isEmpty() || !down.isEmpty();
        }
    }

    /** What validation settled: where the listener aims and relays, each with the annotation that said so. */
    private record Checked(Given<Target> target, Given<InetSocketAddress> upstream, OptionalLong seed) {
    }

    private static Declarations read(ExtensionContext context) {
        List<Given<Fault>> faults = new ArrayList<>();
        for (Declared<?> declared : ListenerFaults.find(context)) {
            faults.add(new Given<>(declared, ListenerFaults.fault(declared)));
        }
        List<Declared<SlowAccept>> slow = Declared.closest(context, SlowAccept.class, false);
        List<Declared<LeakedServerSockets>> leaks = Declared.closest(context, LeakedServerSockets.class, false);
        List<Declared<?>> listenerAnnotations = new ArrayList<>(leaks);
        listenerAnnotations.addAll(slow);
        faults.forEach(f -> listenerAnnotations.add(f.source()));
        List<Given<Target>> targets = new ArrayList<>();
        List<Given<String>> upstreams = new ArrayList<>();
        for (Declared<?> declared : listenerAnnotations) {
            String target = ListenerFaults.target(declared);
            if (!target.isEmpty()) {
                targets.add(new Given<>(declared, AgentPlan.parse(declared, "target", target)));
            }
            String upstream = ListenerFaults.upstream(declared);
            if (!upstream.isEmpty()) {
                upstreams.add(new Given<>(declared, upstream));
            }
        }
        List<String> agentSummary = new ArrayList<>();
        AgentPlan agent = AgentPlan.of(context, agentSummary);
        return new Declarations(leaks, slow, Declared.closest(context, ListenerDown.class, false), faults, targets, upstreams, agent,
                agentSummary, context.getConfigurationParameter(NetFaultConfig.SEED_PROPERTY_NAME));
    }

    /** Checks every rule once, in one place: each annotation's own values, then how they combine. */
    private static Checked validate(ExtensionContext context, Declarations d) {
        for (Declared<LeakedServerSockets> leak : d.leaks()) {
            LeakedServerSockets a = leak.annotation();
            ListenerFaults.require(a.value().length > 0, leak, "value", "non-empty", "{}",
                    "write @LeakedServerSockets(Leak.CONNECTIONS), (Leak.PORT) or both");
            if (Arrays.asList(a.value()).contains(LeakedServerSockets.Leak.CONNECTIONS)) {
                ListenerFaults.require(a.limit() >= 1, leak, "limit", "at least 1", a.limit(),
                        "give the number of connections the server accepts and leaks before it stops accepting");
            }
        }
        if (d.leakyServer()) {
            Declared<LeakedServerSockets> leak = d.leaks().get(0);
            if (!d.slow().isEmpty()) {
                throw contradiction(leak, d.slow().get(0), "a leaky server accepts at once until its limit, so its accepts cannot also be slow",
                        "test the slow accept and the leak in separate tests");
            }
            if (!d.faults().isEmpty()) {
                Declared<?> first = d.faults().get(0).source();
                boolean reset = first.annotation() instanceof Reset;
                throw contradiction(leak, first, "a leaky server never serves its connections, so "
                        + (reset ? "a reset would never fire" : first.name() + " would never take effect"),
                        "test the " + (reset ? "reset" : first.name()) + " and the leak in separate tests");
            }
        }
        for (Declared<SlowAccept> declared : d.slow()) {
            SlowAccept a = declared.annotation();
            ListenerFaults.require(a.backlog() >= 1, declared, "backlog", "at least 1", a.backlog(),
                    "Linux queues backlog + 1 connections; use 1 for the smallest queue");
            if (a.neverAccept()) {
                ListenerFaults.require(a.delay() == SlowAccept.UNSET, declared, "delay", "unset when neverAccept = true", a.delay(),
                        "remove delay (the listener never accepts) or neverAccept = true (it accepts one connection per delay)");
            } else {
                ListenerFaults.require(a.delay() == SlowAccept.UNSET || a.delay() >= 0, declared, "delay", "non-negative",
                        a.delay() + " " + unit(a.unit()), "give how long the listener waits before each accept");
            }
        }
        Given<Target> target = null;
        for (Given<Target> given : d.targets()) {
            if (target != null && !target.value().equals(given.value())) {
                throw contradiction(target.source(), given.source(), "one test has one fault listener, so its faults aim at one target, but they"
                        + " name " + target.value() + " and " + given.value(), "give the target once, or on annotations that agree");
            }
            if (d.agent().refuses(given.value())) {
                throw new ExtensionConfigurationException(given.source().describe() + " aims at " + given.value()
                        + ", which @RefuseConnections refuses: a refused connection never reaches the fault listener."
                        + " Fix: test the refusal and this fault in separate tests.");
            }
            target = given;
        }
        Given<InetSocketAddress> upstream = null;
        for (Given<String> given : d.upstreams()) {
            if (target != null) {
                throw new ExtensionConfigurationException(target.source().describe() + " aims at target " + target.value() + ", and "
                        + given.source().describe() + " names upstream \"" + given.value() + "\": with a target, the listener relays to the"
                        + " target itself. Fix: remove upstream.");
            }
            InetSocketAddress parsed = upstream(given);
            if (upstream != null && !upstream.value().equals(parsed)) {
                throw contradiction(upstream.source(), given.source(), "one test has one fault listener, so it relays to one upstream, but they"
                        + " name " + upstream.value() + " and " + parsed, "give the upstream once, or on annotations that agree");
            }
            upstream = new Given<>(given.source(), parsed);
        }
        if (target != null && target.value().port() != 0 && target.value().host() != null && !d.leakyServer()) {
            InetSocketAddress relay = new InetSocketAddress(target.value().host(), target.value().port());
            if (relay.isUnresolved()) {
                throw new ExtensionConfigurationException(target.source().describe() + ": target host \"" + target.value().host()
                        + "\" does not resolve, so the fault listener cannot relay to it."
                        + " Fix: give a resolvable target, or a target without a port for a stand-alone fault.");
            }
            upstream = new Given<>(target.source(), relay);
        }
        if (upstream != null && d.needsListener()) {
            requireLoopback(context, upstream.source(), upstream.value());
        }
        return new Checked(target, upstream, d.seed().map(FaultPlan::parseSeed).map(OptionalLong::of).orElse(OptionalLong.empty()));
    }

    /** Opens nothing: builds the listener and the plan from what was read and checked, with one summary line per annotation. */
    private static FaultPlan wire(ExtensionContext context, Declarations d, Checked checked) {
        boolean holdPort = d.leakKinds().contains(LeakedServerSockets.Leak.PORT);
        List<String> summary = new ArrayList<>();
        int leakLimit = d.leaks().isEmpty() ? 0 : d.leaks().get(d.leaks().size() - 1).annotation().limit();
        if (d.leakyServer()) {
            summary.add("@LeakedServerSockets: accepts and leaks " + leakLimit + " connection(s), then stops accepting");
        }
        if (holdPort) {
            summary.add("@LeakedServerSockets: a leaked listener holds a port");
        }
        summary.addAll(d.agentSummary());
        if (!d.needsListener()) {
            FaultPlan plan = new FaultPlan(null, holdPort, summary);
            plan.agent = d.agent();
            return plan;
        }
        if (!d.down().isEmpty()) {
            summary.add("@ListenerDown: the fault listener starts down (its port refuses connections)");
        }
        FaultListener.Builder builder = FaultListener.standalone().name(listenerName(context));
        if (d.leakyServer()) {
            builder.leakConnections(leakLimit).backlog(1);
        }
        for (Declared<SlowAccept> declared : d.slow()) {
            SlowAccept a = declared.annotation();
            builder.backlog(a.backlog());
            if (a.neverAccept()) {
                builder.neverAccept();
            } else {
                builder.acceptDelay(Duration.ofMillis(a.delay() == SlowAccept.UNSET ? SlowAccept.DEFAULT_DELAY_MILLIS : a.unit().toMillis(a.delay())));
            }
            if (a.fillAcceptQueue()) {
                builder.fillAcceptQueue();
            }
            summary.add("@SlowAccept: " + (a.neverAccept() ? "never accepts" : "accepts one connection per "
                    + (a.delay() == SlowAccept.UNSET ? SlowAccept.DEFAULT_DELAY_MILLIS + " ms" : a.delay() + " " + unit(a.unit())))
                    + ", backlog " + a.backlog() + (a.fillAcceptQueue() ? ", accept queue full from the start" : ""));
        }
        FaultPlan plan = new FaultPlan(builder, holdPort, summary);
        for (Given<Fault> fault : d.faults()) {
            builder.fault(fault.value());
            summary.add(fault.source().name() + ": " + fault.value().describe());
            plan.faultSources.putIfAbsent(fault.value(), ListenerFaults.source(fault.source()));
        }
        checked.seed().ifPresent(builder::seed);
        if (checked.upstream() != null) {
            builder.upstream(checked.upstream().value());
        }
        if (checked.target() != null) {
            summary.add("aimed at the application's connections to " + checked.target().value() + " (socket agent)");
            plan.target = checked.target().value();
            plan.targetSource = checked.target().source().describe();
        }
        plan.agent = d.agent();
        plan.startDown = !d.down().isEmpty();
        return plan;
    }

    private static long parseSeed(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException("Configuration parameter " + NetFaultConfig.SEED_PROPERTY_NAME
                    + " must be a whole number (the seed a failed test reported), but was \"" + value + "\".");
        }
    }

    /** {@return the upstream an annotation names, parsed by {@link Target#parse} and resolved} */
    private static InetSocketAddress upstream(Given<String> given) {
        Target parsed;
        try {
            parsed = Target.parse(given.value());
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (parsed == null || parsed.host() == null || parsed.port() == 0) {
            throw new ExtensionConfigurationException(given.source().describe() + ": upstream must be host:port with a port from 1 to 65535,"
                    + " such as \"127.0.0.1:8080\", but was \"" + given.value() + "\". Fix: give the real server's address,"
                    + " or leave upstream empty and call FaultListener.proxyTo(...) in @BeforeEach when the port is known only at run time.");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(parsed.host()), parsed.port());
        } catch (UnknownHostException e) {
            throw new ExtensionConfigurationException(given.source().describe() + ": upstream host \"" + parsed.host()
                    + "\" does not resolve. Fix: give an address or a resolvable host name.", e);
        }
    }

    /**
     * A fault listener relays to its upstream: one off this machine's loopback would carry test
     * traffic onto a real network, so it needs the user's explicit consent.
     */
    private static void requireLoopback(ExtensionContext context, Declared<?> declared, InetSocketAddress upstream) {
        if (upstream.getAddress().isLoopbackAddress()
                || context.getConfigurationParameter(NetFaultConfig.ALLOW_NON_LOOPBACK_PROPERTY_NAME).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false)) {
            return;
        }
        throw new ExtensionConfigurationException(declared.describe() + " would relay the test's connections to "
                + upstream.getHostString() + ":" + upstream.getPort() + " (" + upstream.getAddress().getHostAddress()
                + "), which is not a loopback address: netfault keeps test traffic on this machine. Fix: run the server the test"
                + " talks to on loopback (127.0.0.1, localhost, [::1]), or, if relaying to that host is really intended, set the"
                + " configuration parameter " + NetFaultConfig.ALLOW_NON_LOOPBACK_PROPERTY_NAME + "=true.");
    }

    private static String listenerName(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.getName()).orElse("test");
    }

    private static ExtensionConfigurationException contradiction(Declared<?> first, Declared<?> second, String why, String fix) {
        return new ExtensionConfigurationException(first.describe() + " contradicts " + second.describe() + ": " + why + ". Fix: " + fix + ".");
    }

    private static String unit(TimeUnit unit) {
        return unit.name().toLowerCase(Locale.ROOT);
    }

    /** {@return whether the annotations ask for nothing} */
    public boolean isEmpty() {
        return listener == null && !holdPort && agent.isEmpty();
    }


    /** {@return one line per annotation, for messages} */
    public List<String> summary() {
        return List.copyOf(summary);
    }

    /** Opens what the plan asks for; on failure, closes what was opened and rethrows. */
    public InstalledFaults install() {
        FaultListener started = null;
        HeldPort held = null;
        InstalledFaults faults = null;
        try {
            started = listener == null ? null : listener.start();
            held = holdPort ? HeldPort.hold() : null;
            faults = new InstalledFaults(started, held, summary());
            faults.faultSources(faultSources);
            if (startDown) {
                started.down();
            }
            if (target != null) {
                faults.aim(SocketAgent.redirect(target, started.address()), targetSource);
            }
            agent.install(faults);
            return faults;
        } catch (RuntimeException e) {
            if (faults != null) {
                faults.close();
            } else {
                if (started != null) {
                    started.close();
                }
                if (held != null) {
                    held.close();
                }
            }
            throw e;
        }
    }
}
