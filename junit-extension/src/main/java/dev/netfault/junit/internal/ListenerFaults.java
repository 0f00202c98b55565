package dev.netfault.junit.internal;

import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Blackhole;
import dev.netfault.junit.HalfClose;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.Slice;
import dev.netfault.junit.SlowClose;
import dev.netfault.junit.Stall;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads the annotations whose faults run on the test's fault listener into {@link Fault}s: the
 * effect here, the shared "when" and "which" attributes (triggers, connection and request
 * selections) in {@link WhenAndWhich}, the aim ({@code upstream}, {@code target}) here, by name.
 */
final class ListenerFaults {

    private static final long UNSET = Long.MIN_VALUE;

    private static final List<AnnotationKinds.Kind> KINDS = AnnotationKinds.with(AnnotationKinds.Role.LISTENER_FAULT);

    private ListenerFaults() {
    }

    /** {@return every listener-fault annotation that applies to the test, closest declaration first} */
    static List<Declared<?>> find(ExtensionContext context) {
        List<Declared<?>> found = new ArrayList<>();
        for (AnnotationKinds.Kind kind : KINDS) {
            found.addAll(Declared.closest(context, kind.type(), kind.repeatable()));
        }
        return found;
    }

    /** {@return the fault an annotation asks for, validated} */
    static Fault fault(Declared<?> declared) {
        return parsed(declared).fault();
    }

    /** {@return the annotation with the shared attributes it sets and where, such as "@Reset(nthRequest = 3) on method 'x()'"} */
    static String source(Declared<?> declared) {
        return parsed(declared).source();
    }

    /** An annotation read and validated: its fault and its description for messages. */
    private record Parsed(Fault fault, String source) {
    }

    /**
     * The annotation read once: every test of a method (each repetition, each parameter set) and
     * every test of an annotated class uses the same declaration, which keeps what was read
     * ({@link Declared#read}). Only a valid one is kept, so a misuse fails every test it applies to.
     */
    private static Parsed parsed(Declared<?> declared) {
        return declared.read(Parsed.class, d -> new Parsed(read(d), describeSource(d)));
    }

    private static Fault read(Declared<?> declared) {
        AnnotationKinds.Kind kind = kindOf(declared);
        Annotation a = declared.annotation();
        Fault fault = Fault.of(effect(declared, a));
        WhenAndWhich.Read when = WhenAndWhich.read(declared, kind);
        fault = fault.when(when.trigger()).on(when.connections());
        Direction[] directions = (Direction[]) attr(a, "direction").orElse(new Direction[0]);
        if (directions.length == 1) {
            fault = fault.in(directions[0]);
        }
        return fault;
    }

    private static String describeSource(Declared<?> declared) {
        List<String> set = WhenAndWhich.read(declared, kindOf(declared)).set();
        return declared.name() + (set.isEmpty() ? "" : "(" + String.join(", ", set) + ")") + " on " + declared.where();
    }

    private static Effect effect(Declared<?> declared, Annotation a) {
        if (a instanceof Reset) {
            return Effect.reset();
        }
        if (a instanceof Close) {
            return Effect.close();
        }
        if (a instanceof Stall) {
            return Effect.stall();
        }
        if (a instanceof HalfClose h) {
            require(h.direction().length == 1, declared, "direction", "exactly one direction", h.direction().length + " directions",
                    "give Direction.TO_CLIENT or Direction.FROM_CLIENT");
            return Effect.halfClose();
        }
        if (a instanceof Latency l) {
            require(l.value() >= 0, declared, "value", "non-negative", l.value() + " " + unit(a), "give the latency to add");
            require(l.jitter() >= 0 && l.jitter() <= l.value(), declared, "jitter", "from 0 to the latency (" + l.value() + ")",
                    l.jitter() + " " + unit(a), "give the largest deviation from the latency");
            return Effect.latency(duration(a, l.value()), duration(a, l.jitter()));
        }
        if (a instanceof Bandwidth b) {
            require(b.bytesPerSecond() >= 1, declared, "bytesPerSecond", "at least 1", b.bytesPerSecond(), "give the bytes per second the link carries");
            return Effect.bandwidth(b.bytesPerSecond());
        }
        if (a instanceof Slice s) {
            require(s.bytes() >= 1, declared, "bytes", "at least 1", s.bytes(), "give the largest segment in bytes");
            require(s.interval() >= 0, declared, "interval", "non-negative", s.interval() + " " + unit(a), "give the pause after each segment");
            return Effect.slice(s.bytes(), duration(a, s.interval()));
        }
        if (a instanceof SlowClose s) {
            require(s.value() >= 0, declared, "value", "non-negative", s.value() + " " + unit(a), "give how long a close waits");
            return Effect.slowClose(duration(a, s.value()));
        }
        Blackhole b = (Blackhole) a;
        if (b.closeAfter() != UNSET) {
            require(b.closeAfter() >= 0, declared, "closeAfter", "non-negative", b.closeAfter() + " " + unit(a),
                    "give when the blackhole closes, or leave it unset for never");
        }
        return b.closeAfter() == UNSET ? Effect.blackhole() : Effect.blackhole(duration(a, b.closeAfter()));
    }

    /** {@return the annotation's upstream attribute, or empty} */
    static String upstream(Declared<?> declared) {
        return (String) attr(declared.annotation(), "upstream").orElse("");
    }

    /** {@return the annotation's target attribute, or empty} */
    static String target(Declared<?> declared) {
        return (String) attr(declared.annotation(), "target").orElse("");
    }

    private static AnnotationKinds.Kind kindOf(Declared<?> declared) {
        for (AnnotationKinds.Kind kind : KINDS) {
            if (kind.type().isInstance(declared.annotation())) {
                return kind;
            }
        }
        throw new IllegalArgumentException(declared.describe());
    }

    /** {@return whether annotation type {@code type} declares attribute {@code name}} */
    static boolean attr(Class<? extends Annotation> type, String name) {
        return ATTRIBUTES.get(type).containsKey(name);
    }

    static Optional<Object> attr(Annotation a, String name) {
        Method m = ATTRIBUTES.get(a.annotationType()).get(name);
        if (m == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(m.invoke(a));
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + name + " of " + a, e);
        }
    }

    /** Each annotation type's attributes by name, looked up once: every test reads them. */
    private static final ClassValue<Map<String, Method>> ATTRIBUTES = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            Map<String, Method> attributes = new HashMap<>();
            for (Method m : type.getMethods()) {
                if (m.getParameterCount() == 0 && m.getDeclaringClass() == type) {
                    attributes.put(m.getName(), m);
                }
            }
            return Map.copyOf(attributes);
        }
    };

    private static TimeUnit unitOf(Annotation a) {
        return (TimeUnit) attr(a, "unit").orElse(TimeUnit.MILLISECONDS);
    }

    private static Duration duration(Annotation a, long amount) {
        return Duration.ofNanos(unitOf(a).toNanos(amount));
    }

    private static String unit(Annotation a) {
        return unitOf(a).name().toLowerCase(Locale.ROOT);
    }

    static void require(boolean ok, Declared<?> declared, String element, String rule, Object actual, String fix) {
        if (!ok) {
            throw new ExtensionConfigurationException(declared.describe() + ": " + element + " must be " + rule
                    + ", but was " + actual + ". Fix: " + fix + ".");
        }
    }
}
