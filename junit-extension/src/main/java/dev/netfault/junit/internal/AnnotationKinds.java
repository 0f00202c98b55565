package dev.netfault.junit.internal;

import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Blackhole;
import dev.netfault.junit.FailAccept;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.HalfClose;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.ListenerDown;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.junit.Slice;
import dev.netfault.junit.SlowAccept;
import dev.netfault.junit.SlowClose;
import dev.netfault.junit.Stall;
import dev.netfault.junit.TimeOutConnections;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The one registry of netfault's fault annotations: which attribute aims each at a target, whether
 * it repeats, and, for the faults that run on the test's fault listener, the noun their messages
 * use. The plan, the per-target resource locks, the messages that list the annotations and the
 * tests that keep the docs honest all read it; a test fails when an annotation with a target is
 * missing here.
 */
public final class AnnotationKinds {

    /** What a kind of annotation does. */
    public enum Role {
        /** An effect on the connections of the test's fault listener. */
        LISTENER_FAULT,
        /** It shapes the fault listener itself (its accepts, its port). */
        LISTENER,
        /** A socket agent rule: the target is where the application connects or what it resolves. */
        AGENT_RULE
    }

    /**
     * One kind of annotation.
     *
     * @param type the annotation type
     * @param repeatable whether it may be repeated
     * @param targetAttribute the attribute that names its target ({@code "target"} or {@code "value"}), or {@code null}
     *     for a kind without one: aimed at the application's listening ports ({@code @FailAccept}, which takes its own
     *     locks) or at the test's own listener ({@code @ListenerDown})
     * @param role what it does
     * @param noun what its messages call the effect
     * @param oneShot whether the effect fires once (a reset) rather than lasting (latency)
     */
    public record Kind(Class<? extends Annotation> type, boolean repeatable, String targetAttribute, Role role, String noun,
            boolean oneShot) {

        /** {@return "@Name"} */
        public String display() {
            return "@" + type.getSimpleName();
        }

        /** {@return the targets this kind names on {@code element} (closest declarations; blank ones left out)} */
        List<String> targets(AnnotatedElement element) {
            if (targetAttribute == null) {
                return List.of();
            }
            List<? extends Annotation> found = repeatable ? AnnotationSupport.findRepeatableAnnotations(element, type)
                    : AnnotationSupport.findAnnotation(element, type).map(List::of).orElse(List.of());
            List<String> targets = new ArrayList<>();
            for (Annotation a : found) {
                String target = target(a);
                if (!target.isBlank()) {
                    targets.add(target.trim());
                }
            }
            return targets;
        }

        String target(Annotation annotation) {
            try {
                return (String) annotation.annotationType().getMethod(targetAttribute).invoke(annotation);
            } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(display() + " has no String attribute " + targetAttribute, e);
            }
        }
    }

    private static final List<Kind> ALL = List.of(
            new Kind(Reset.class, true, "target", Role.LISTENER_FAULT, "reset", true),
            new Kind(Close.class, false, "target", Role.LISTENER_FAULT, "close", true),
            new Kind(Stall.class, false, "target", Role.LISTENER_FAULT, "stall", true),
            new Kind(HalfClose.class, false, "target", Role.LISTENER_FAULT, "half-close", true),
            new Kind(Latency.class, false, "target", Role.LISTENER_FAULT, "latency", false),
            new Kind(Bandwidth.class, false, "target", Role.LISTENER_FAULT, "bandwidth limit", false),
            new Kind(Slice.class, false, "target", Role.LISTENER_FAULT, "slicing", false),
            new Kind(SlowClose.class, false, "target", Role.LISTENER_FAULT, "slow close", false),
            new Kind(Blackhole.class, false, "target", Role.LISTENER_FAULT, "blackhole", false),
            new Kind(SlowAccept.class, false, "target", Role.LISTENER, "slow accept", false),
            new Kind(LeakedServerSockets.class, false, "target", Role.LISTENER, "leak", false),
            new Kind(ListenerDown.class, false, null, Role.LISTENER, "listener down", false),
            new Kind(RefuseConnections.class, true, "value", Role.AGENT_RULE, "refusal", false),
            new Kind(TimeOutConnections.class, false, "value", Role.AGENT_RULE, "time-out", true),
            new Kind(FailResolution.class, true, "value", Role.AGENT_RULE, "failed lookup", false),
            new Kind(FailAccept.class, false, null, Role.AGENT_RULE, "failed accept", false));

    private AnnotationKinds() {
    }

    /** {@return every kind, in the order messages list them} */
    public static List<Kind> all() {
        return ALL;
    }

    /** {@return the kinds with {@code role}} */
    static List<Kind> with(Role role) {
        return ALL.stream().filter(k -> k.role() == role).toList();
    }

    /** {@return the kind of {@code type}, if it is a netfault fault annotation} */
    static Kind of(Class<? extends Annotation> type) {
        for (Kind kind : ALL) {
            if (kind.type() == type) {
                return kind;
            }
        }
        throw new IllegalArgumentException(type.getName() + " is not a netfault fault annotation");
    }

    /** {@return every target named on {@code element} by any kind, in registry order} */
    public static List<String> targets(AnnotatedElement element) {
        List<String> targets = new ArrayList<>();
        for (Kind kind : ALL) {
            targets.addAll(kind.targets(element));
        }
        return targets;
    }

    /** {@return the names of the kinds with {@code role}, such as "@Reset, @Close or @Stall"} */
    public static String names(Role... roles) {
        List<String> names = ALL.stream().filter(k -> List.of(roles).contains(k.role())).map(Kind::display).collect(Collectors.toList());
        if (names.size() < 2) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
