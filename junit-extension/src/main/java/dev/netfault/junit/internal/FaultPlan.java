package dev.netfault.junit.internal;

import dev.netfault.Connections;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.junit.Reset;
import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.SlowAccept;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test's annotations ask for, validated: at most one fault listener (with its accept policy,
 * faults and upstream) and a held port. Every misuse fails here, before anything is opened.
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
    private final java.util.Map<Fault, String> faultSources = new java.util.LinkedHashMap<>();


    private FaultPlan(FaultListener.Builder listener, boolean holdPort, List<String> summary) {
        this.listener = listener;
        this.holdPort = holdPort;
        this.summary = summary;
    }

    /** {@return the plan, with the socket agent rules and the target of the listener} */
    private FaultPlan with(AgentPlan agentPlan, Target listenerTarget) {
        this.agent = agentPlan;
        this.target = listenerTarget;
        return this;
    }

    /**
     * Reads and validates the netfault annotations that apply to the test.
     *
     * @throws ExtensionConfigurationException naming the annotation, the element, the rule and the fix
     */
    public static FaultPlan of(ExtensionContext context) {
        List<Declared<?>> resets = ListenerFaults.find(context);
        List<Declared<SlowAccept>> slow = Declared.closest(context, SlowAccept.class, false);
        List<Declared<LeakedServerSockets>> leaks = Declared.closest(context, LeakedServerSockets.class, false);
        List<String> summary = new ArrayList<>();

        Set<LeakedServerSockets.Leak> leakKinds = EnumSet.noneOf(LeakedServerSockets.Leak.class);
        int leakLimit = 0;
        for (Declared<LeakedServerSockets> leak : leaks) {
            LeakedServerSockets.Leak[] kinds = leak.annotation().value();
            ListenerFaults.require(kinds.length > 0, leak, "value", "non-empty", "{}",
                    "write @LeakedServerSockets(Leak.CONNECTIONS), (Leak.PORT) or both");
            leakKinds.addAll(Arrays.asList(kinds));
            leakLimit = leak.annotation().limit();
            if (leakKinds.contains(LeakedServerSockets.Leak.CONNECTIONS)) {
                ListenerFaults.require(leakLimit >= 1, leak, "limit", "at least 1", leakLimit,
                        "give the number of connections the server accepts and leaks before it stops accepting");
                summary.add("@LeakedServerSockets: accepts and leaks " + leakLimit + " connection(s), then stops accepting");
            }
            if (leakKinds.contains(LeakedServerSockets.Leak.PORT)) {
                summary.add("@LeakedServerSockets: a leaked listener holds a port");
            }
        }
        boolean leakyServer = leakKinds.contains(LeakedServerSockets.Leak.CONNECTIONS);
        if (leakyServer) {
            Declared<LeakedServerSockets> leak = leaks.get(0);
            if (!slow.isEmpty()) {
                throw contradiction(leak, slow.get(0), "a leaky server accepts at once until its limit, so its accepts cannot also be slow",
                        "test the slow accept and the leak in separate tests");
            }
            if (!resets.isEmpty()) {
                Declared<?> first = resets.get(0);
                String what = first.annotation() instanceof Reset ? "a reset would never fire" : first.name() + " would never take effect";
                throw contradiction(leak, first, "a leaky server never serves its connections, so " + what,
                        "test the " + (first.annotation() instanceof Reset ? "reset" : first.name()) + " and the leak in separate tests");
            }
        }
        AgentPlan agentPlan = AgentPlan.of(context, summary);
        boolean down = agentPlan.refusesOwnListener();
        if (!leakyServer && slow.isEmpty() && resets.isEmpty() && !down) {
            return new FaultPlan(null, leakKinds.contains(LeakedServerSockets.Leak.PORT), summary).with(agentPlan, null);
        }
        Target target = null;
        Declared<?> targetSource = null;
        List<Declared<?>> listenerAnnotations = new ArrayList<>();
        if (leakyServer) {
            listenerAnnotations.add(leaks.get(0));
        }
        listenerAnnotations.addAll(slow);
        listenerAnnotations.addAll(resets);
        for (Declared<?> declared : listenerAnnotations) {
            String given = ListenerFaults.target(declared);
            if (given.isEmpty()) {
                continue;
            }
            Target parsed = AgentPlan.parse(declared, "target", given);
            if (target != null && !target.equals(parsed)) {
                throw contradiction(targetSource, declared, "one test has one fault listener, so its faults aim at one target, but they name "
                        + target + " and " + parsed, "give the target once, or on annotations that agree");
            }
            if (agentPlan.refuses(parsed)) {
                throw new ExtensionConfigurationException(declared.describe() + " aims at " + parsed
                        + ", which @RefuseConnections refuses: a refused connection never reaches the fault listener."
                        + " Fix: test the refusal and this fault in separate tests.");
            }
            target = parsed;
            targetSource = declared;
        }

        FaultListener.Builder builder = FaultListener.standalone().name(listenerName(context));
        if (leakyServer) {
            builder.leakConnections(leakLimit).backlog(1);
        }
        InetSocketAddress upstream = null;
        Declared<?> upstreamSource = null;
        for (Declared<SlowAccept> declared : slow) {
            SlowAccept a = declared.annotation();
            ListenerFaults.require(a.backlog() >= 1, declared, "backlog", "at least 1", a.backlog(),
                    "Linux queues backlog + 1 connections; use 1 for the smallest queue");
            builder.backlog(a.backlog());
            if (a.neverAccept()) {
                ListenerFaults.require(a.delay() == SlowAccept.UNSET, declared, "delay", "unset when neverAccept = true", a.delay(),
                        "remove delay (the listener never accepts) or neverAccept = true (it accepts one connection per delay)");
                builder.neverAccept();
            } else {
                long delay = a.delay() == SlowAccept.UNSET ? SlowAccept.DEFAULT_DELAY_MILLIS : a.unit().toMillis(a.delay());
                ListenerFaults.require(a.delay() == SlowAccept.UNSET || a.delay() >= 0, declared, "delay", "non-negative", a.delay() + " " + unit(a.unit()),
                        "give how long the listener waits before each accept");
                builder.acceptDelay(Duration.ofMillis(delay));
            }
            if (a.fillAcceptQueue()) {
                builder.fillAcceptQueue();
            }
            summary.add("@SlowAccept: " + (a.neverAccept() ? "never accepts" : "accepts one connection per "
                    + (a.delay() == SlowAccept.UNSET ? SlowAccept.DEFAULT_DELAY_MILLIS + " ms" : a.delay() + " " + unit(a.unit())))
                    + ", backlog " + a.backlog() + (a.fillAcceptQueue() ? ", accept queue full from the start" : ""));
            if (!a.upstream().isEmpty() && target != null) {
                throw new ExtensionConfigurationException(targetSource.describe() + " aims at target " + target + ", and " + declared.describe()
                        + " names upstream \"" + a.upstream() + "\": with a target, the listener relays to the target itself."
                        + " Fix: remove upstream.");
            }
            if (!a.upstream().isEmpty()) {
                upstream = parseUpstream(declared, a.upstream());
                upstreamSource = declared;
            }
        }
        for (Declared<?> declared : resets) {
            Fault fault = ListenerFaults.fault(declared);
            builder.fault(fault);
            summary.add(declared.name() + ": " + fault.describe());
            String given = ListenerFaults.upstream(declared);
            if (!given.isEmpty() && target != null) {
                throw new ExtensionConfigurationException(targetSource.describe() + " aims at target " + target + ", and " + declared.describe()
                        + " names upstream \"" + given + "\": with a target, the listener relays to the target itself."
                        + " Fix: remove upstream.");
            }
            if (!given.isEmpty()) {
                InetSocketAddress parsed = parseUpstream(declared, given);
                if (upstream != null && !upstream.equals(parsed)) {
                    throw contradiction(upstreamSource, declared, "one test has one fault listener, so it relays to one upstream, but they name "
                            + upstream + " and " + parsed, "give the upstream once, or on annotations that agree");
                }
                upstream = parsed;
                upstreamSource = declared;
            }
        }
        context.getConfigurationParameter(NetFaultConfig.SEED_PROPERTY_NAME).ifPresent(seed -> builder.seed(parseSeed(seed)));
        if (target != null && target.port() != 0 && target.host() != null && !leakyServer) {
            upstream = new InetSocketAddress(target.host(), target.port());
            if (upstream.isUnresolved()) {
                throw new ExtensionConfigurationException(targetSource.describe() + ": target host \"" + target.host()
                        + "\" does not resolve, so the fault listener cannot relay to it."
                        + " Fix: give a resolvable target, or a target without a port for a stand-alone fault.");
            }
        }
        if (upstream != null) {
            requireLoopback(context, target != null ? targetSource : upstreamSource, upstream);
            builder.upstream(upstream);
        }
        if (target != null) {
            summary.add("aimed at the application's connections to " + target + " (socket agent)");
        }
        FaultPlan plan = new FaultPlan(builder, leakKinds.contains(LeakedServerSockets.Leak.PORT), summary).with(agentPlan, target);
        for (Declared<?> declared : resets) {
            plan.faultSources.putIfAbsent(ListenerFaults.fault(declared), ListenerFaults.source(declared));
        }
        plan.startDown = down;
        plan.targetSource = targetSource == null ? null : targetSource.describe();
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

    static InetSocketAddress parseUpstream(Declared<?> declared, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new ExtensionConfigurationException(declared.describe() + ": upstream must be host:port with a port from 1 to 65535,"
                    + " such as \"127.0.0.1:8080\", but was \"" + value + "\". Fix: give the real server's address,"
                    + " or leave upstream empty and call FaultListener.proxyTo(...) in @BeforeEach when the port is known only at run time.");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ExtensionConfigurationException(declared.describe() + ": upstream host \"" + host
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

    private static String unit(java.util.concurrent.TimeUnit unit) {
        return unit.name().toLowerCase(java.util.Locale.ROOT);
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
