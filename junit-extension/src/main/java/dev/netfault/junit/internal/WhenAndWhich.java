package dev.netfault.junit.internal;

import dev.netfault.Connections;
import dev.netfault.Direction;
import dev.netfault.Requests;
import dev.netfault.Trigger;
import dev.netfault.junit.Reset;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The one reading of "when" (trigger) and "which" (connections, requests) that every listener-fault
 * annotation shares. The attributes are listed once, in {@link #ATTRIBUTES}; every annotation kind
 * of the registry that takes triggers declares all of them (a test checks it), and they are read
 * here by name, so the kinds cannot drift apart.
 */
final class WhenAndWhich {

    /** What an attribute says. */
    enum Group {
        /** A trigger: when the fault fires (or starts). */
        WHEN,
        /** A selection of connections. */
        CONNECTIONS,
        /** A selection of requests. */
        REQUESTS
    }

    /**
     * One shared attribute.
     *
     * @param name its name
     * @param type its return type
     * @param unset its default, meaning "not set"
     * @param group what it says
     */
    record Attribute(String name, Class<?> type, Object unset, Group group) {
    }

    /** Every shared attribute, in the order messages list them. */
    static final List<Attribute> ATTRIBUTES = List.of(
            new Attribute("firstConnections", int.class, 0, Group.CONNECTIONS),
            new Attribute("nthConnection", int.class, 0, Group.CONNECTIONS),
            new Attribute("everyNthConnection", int.class, 0, Group.CONNECTIONS),
            new Attribute("connectionProbability", double.class, -1.0, Group.CONNECTIONS),
            new Attribute("firstRequests", int.class, 0, Group.REQUESTS),
            new Attribute("nthRequest", int.class, 0, Group.REQUESTS),
            new Attribute("everyNthRequest", int.class, 0, Group.REQUESTS),
            new Attribute("requestProbability", double.class, -1.0, Group.REQUESTS),
            new Attribute("nthRequestOnConnection", int.class, 0, Group.REQUESTS),
            new Attribute("afterBytesFromClient", long.class, Long.MIN_VALUE, Group.WHEN),
            new Attribute("afterBytesToClient", long.class, Long.MIN_VALUE, Group.WHEN),
            new Attribute("after", long.class, Long.MIN_VALUE, Group.WHEN),
            new Attribute("afterResponseBytes", long.class, Long.MIN_VALUE, Group.WHEN),
            new Attribute("afterResponseEnd", boolean.class, false, Group.WHEN),
            new Attribute("afterIdle", long.class, Long.MIN_VALUE, Group.WHEN),
            new Attribute("idleBeforeRequest", long.class, Long.MIN_VALUE, Group.WHEN));

    /** The triggers that fire on requests and responses, which a request selection narrows. */
    private static final List<String> REQUEST_TRIGGERS = List.of("afterResponseBytes", "afterResponseEnd", "idleBeforeRequest");

    /**
     * What an annotation says about when and which.
     *
     * @param trigger when
     * @param connections which connections
     * @param set the shared attributes it sets, as {@code "nthRequest = 3"}, for messages
     */
    record Read(Trigger trigger, Connections connections, List<String> set) {
    }

    private WhenAndWhich() {
    }

    /** {@return whether {@code kind}'s annotation takes triggers (all the shared attributes), not only connection selections} */
    static boolean takesTriggers(AnnotationKinds.Kind kind) {
        return ListenerFaults.attr(kind.type(), "after");
    }

    /**
     * Reads and validates the shared attributes of a listener-fault annotation.
     *
     * @throws ExtensionConfigurationException naming the annotation, the rule and the fix
     */
    static Read read(Declared<?> declared, AnnotationKinds.Kind kind) {
        Annotation a = declared.annotation();
        List<String> set = new ArrayList<>();
        List<String> when = new ArrayList<>();
        List<String> connections = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (Attribute attribute : ATTRIBUTES) {
            Object value = ListenerFaults.attr(a, attribute.name()).orElse(attribute.unset());
            if (isSet(attribute, value)) {
                String shown = attribute.name() + (attribute.type() == boolean.class ? "" : " = " + value);
                set.add(shown);
                (attribute.group() == Group.WHEN ? when : attribute.group() == Group.CONNECTIONS ? connections : requests).add(shown);
            }
        }
        String at = kind.oneShot() ? "at which the " + kind.noun() + " fires" : "at which the " + kind.noun() + " starts";
        String zero = kind.type() == Reset.class ? "0 resets before the first byte" : "0: before the first byte";
        String unit = unit(a);
        requireNonNegative(declared, "afterBytesFromClient", "give the byte offset " + at + " (" + zero + ")");
        requireNonNegative(declared, "afterBytesToClient", "give the byte offset " + at + " (" + zero + ")");
        requireNonNegative(declared, "after", "give the time after accept " + at);
        requireNonNegative(declared, "afterResponseBytes", "give how many bytes of the response reach the client first (0: none)");
        long idle = longAttr(a, "afterIdle");
        ListenerFaults.require(idle == Long.MIN_VALUE || idle > 0, declared, "afterIdle", "more than 0", idle + " " + unit,
                "give how long a connection idles before the " + kind.noun() + (kind.oneShot() ? " fires" : " starts"));
        requireNonNegative(declared, "idleBeforeRequest", "give how long the connection must have idled before the request, in " + unit);
        if (when.size() > 1) {
            throw new ExtensionConfigurationException(declared.describe() + " sets " + both(when) + ", but one " + kind.noun()
                    + (kind.oneShot() ? " fires" : " starts") + " at one point. Fix: keep one"
                    + (kind.repeatable() ? ", or repeat " + declared.name() + " for " + kind.noun() + "s at several points (the first to fire wins)." : "."));
        }
        Connections whichConnections = connections(declared, kind, connections);
        Requests whichRequests = requests(declared, kind, requests);
        String trigger = when.isEmpty() ? null : when.get(0).split(" ")[0];
        if (whichRequests != null && trigger != null && !REQUEST_TRIGGERS.contains(trigger)) {
            throw new ExtensionConfigurationException(declared.describe() + " sets " + requests.get(0) + " and " + when.get(0)
                    + ", but " + trigger + (trigger.equals("afterIdle") ? " fires on an idle connection" : " counts bytes or time on a connection")
                    + ", not on requests, so the request selection would mean nothing. Fix: remove " + trigger
                    + " (the " + kind.noun() + " then fires as the selected request starts), or use afterResponseBytes, afterResponseEnd or"
                    + " idleBeforeRequest, or remove " + requests.get(0).split(" ")[0] + ".");
        }
        Requests selected = whichRequests == null ? Requests.all() : whichRequests;
        Trigger result;
        if (trigger == null) {
            result = whichRequests == null ? Trigger.onAccept() : Trigger.onRequest(whichRequests);
        } else {
            result = switch (trigger) {
                case "afterBytesFromClient" -> Trigger.afterBytes(Direction.FROM_CLIENT, longAttr(a, trigger));
                case "afterBytesToClient" -> Trigger.afterBytes(Direction.TO_CLIENT, longAttr(a, trigger));
                case "after" -> Trigger.after(duration(a, longAttr(a, trigger)));
                case "afterResponseBytes" -> Trigger.afterResponse(selected, longAttr(a, trigger));
                case "afterResponseEnd" -> Trigger.afterResponseEnd(selected);
                case "afterIdle" -> Trigger.afterIdle(duration(a, longAttr(a, trigger)));
                case "idleBeforeRequest" -> Trigger.onRequest(selected).afterIdle(duration(a, longAttr(a, trigger)));
                default -> throw new IllegalStateException(trigger);
            };
        }
        return new Read(result, whichConnections, List.copyOf(set));
    }

    private static Connections connections(Declared<?> declared, AnnotationKinds.Kind kind, List<String> set) {
        Annotation a = declared.annotation();
        String noun = kind.noun();
        boolean reset = kind.type() == Reset.class;
        int first = intAttr(a, "firstConnections");
        int nth = intAttr(a, "nthConnection");
        int every = intAttr(a, "everyNthConnection");
        double probability = (Double) ListenerFaults.attr(a, "connectionProbability").orElse(-1.0);
        ListenerFaults.require(first >= 0, declared, "firstConnections", "non-negative (0 means every connection)", first,
                "give how many connections, from the first, " + (reset ? "are reset" : "get the " + noun));
        ListenerFaults.require(nth >= 0, declared, "nthConnection", "non-negative (0 means every connection)", nth,
                "give the number of the one connection " + (reset ? "to reset" : "that gets the " + noun) + ", 1 for the first");
        ListenerFaults.require(every >= 0, declared, "everyNthConnection", "non-negative (0 means every connection)", every,
                "give N to select the Nth, 2Nth, ... connection");
        ListenerFaults.require(probability <= 1, declared, "connectionProbability", "at most 1 (negative means every connection)", probability,
                "give the chance of each connection, from 0 to 1");
        if (set.size() > 1) {
            throw new ExtensionConfigurationException(declared.describe() + " sets both " + String.join(" and ", set)
                    + ", which select connections in two ways. Fix: keep one" + (kind.repeatable() ? ", or repeat " + declared.name() + " for each selection." : "."));
        }
        if (first > 0) {
            return Connections.first(first);
        }
        if (nth > 0) {
            return Connections.nth(nth);
        }
        if (every > 0) {
            return Connections.everyNth(every);
        }
        return probability >= 0 ? Connections.withProbability(probability) : Connections.all();
    }

    /** {@return the request selection, or null when the annotation selects no requests} */
    private static Requests requests(Declared<?> declared, AnnotationKinds.Kind kind, List<String> set) {
        Annotation a = declared.annotation();
        int first = intAttr(a, "firstRequests");
        int nth = intAttr(a, "nthRequest");
        int every = intAttr(a, "everyNthRequest");
        double probability = (Double) ListenerFaults.attr(a, "requestProbability").orElse(-1.0);
        int onConnection = intAttr(a, "nthRequestOnConnection");
        ListenerFaults.require(first >= 0, declared, "firstRequests", "non-negative (0: not by request)", first,
                "give how many requests, from the first across the listener, get the " + kind.noun() + " (2: fail twice, then recover)");
        ListenerFaults.require(nth >= 0, declared, "nthRequest", "non-negative (0: not by request)", nth,
                "give the number of the one request that gets the " + kind.noun() + ", 1 for the first");
        ListenerFaults.require(every >= 0, declared, "everyNthRequest", "non-negative (0: not by request)", every,
                "give N to select the Nth, 2Nth, ... request");
        ListenerFaults.require(probability <= 1, declared, "requestProbability", "at most 1 (negative: not by request)", probability,
                "give the chance of each request, from 0 to 1");
        ListenerFaults.require(onConnection >= 0, declared, "nthRequestOnConnection", "non-negative (0: not by request)", onConnection,
                "give the number of the request on each connection, 1 for its first (2: the first reuse of a pooled connection)");
        if (set.size() > 1) {
            throw new ExtensionConfigurationException(declared.describe() + " sets both " + String.join(" and ", set)
                    + ", which select requests in two ways. Fix: keep one" + (kind.repeatable() ? ", or repeat " + declared.name() + " for each selection." : "."));
        }
        if (first > 0) {
            return Requests.first(first);
        }
        if (nth > 0) {
            return Requests.nth(nth);
        }
        if (every > 0) {
            return Requests.everyNth(every);
        }
        if (onConnection > 0) {
            return Requests.nthOnConnection(onConnection);
        }
        return probability >= 0 ? Requests.withProbability(probability) : null;
    }

    private static boolean isSet(Attribute attribute, Object value) {
        if (attribute.type() == double.class) {
            return (Double) value >= 0;
        }
        if (attribute.type() == int.class) {
            return (Integer) value != 0;
        }
        return !value.equals(attribute.unset());
    }

    private static void requireNonNegative(Declared<?> declared, String name, String fix) {
        long value = longAttr(declared.annotation(), name);
        String shown = name.equals("after") || name.equals("idleBeforeRequest") ? value + " " + unit(declared.annotation()) : String.valueOf(value);
        ListenerFaults.require(value == Long.MIN_VALUE || value >= 0, declared, name, "non-negative", shown, fix);
    }

    private static String both(List<String> set) {
        return set.size() == 2 ? "both " + set.get(0) + " and " + set.get(1)
                : String.join(", ", set.subList(0, set.size() - 1)) + " and " + set.get(set.size() - 1);
    }

    private static long longAttr(Annotation a, String name) {
        return (Long) ListenerFaults.attr(a, name).orElse(Long.MIN_VALUE);
    }

    private static int intAttr(Annotation a, String name) {
        return (Integer) ListenerFaults.attr(a, name).orElse(0);
    }

    private static TimeUnit unitOf(Annotation a) {
        return (TimeUnit) ListenerFaults.attr(a, "unit").orElse(TimeUnit.MILLISECONDS);
    }

    private static Duration duration(Annotation a, long amount) {
        return Duration.ofNanos(unitOf(a).toNanos(amount));
    }

    private static String unit(Annotation a) {
        return unitOf(a).name().toLowerCase(Locale.ROOT);
    }
}
