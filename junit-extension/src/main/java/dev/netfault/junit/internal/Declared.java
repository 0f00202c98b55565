package dev.netfault.junit.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * An annotation and where it was declared, for messages. Lookup follows JUnit's rules: the
 * closest declaration wins (the method, then its class, then enclosing classes of {@code @Nested}
 * tests); meta-annotations and {@code @Inherited} count.
 *
 * <p>What one class or method declares never changes, so each lookup is made once and kept with
 * the class (the method's declaring class): every test of a class then reads its annotations
 * without searching them again, and a class loader that goes away takes its entries with it.
 * A reader that turns a declaration into something else (such as {@link ListenerFaults}, into a
 * fault) keeps its result with the declaration, so that result is cached the same way.
 *
 * <p>Each lookup hands out the same instances every time, so a declaration is one object:
 * equality is identity.
 *
 * @param <A> the annotation type
 */
final class Declared<A extends Annotation> {

    /** What one lookup asks for on one element of a class (the class itself or one of its methods). */
    private record Lookup(AnnotatedElement element, Class<? extends Annotation> type, boolean repeatable) {
    }

    private static final ClassValue<ConcurrentMap<Lookup, List<Declared<?>>>> FOUND = new ClassValue<>() {
        @Override
        protected ConcurrentMap<Lookup, List<Declared<?>>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private final A annotation;
    private final String where;

    /** What {@link #read} made of this declaration; null until one read succeeds. */
    private volatile Object read;

    private Declared(A annotation, String where) {
        this.annotation = annotation;
        this.where = where;
    }

    A annotation() {
        return annotation;
    }

    /** {@return where the annotation is declared, such as "method 'x()'" or "class 'X'"} */
    String where() {
        return where;
    }

    /**
     * {@return what {@code reader} makes of this declaration, read on first use and kept with it}
     * Only a successful read is kept: a reader that throws throws again for the next test that
     * uses the declaration, so a misuse fails every test it applies to. One kind of reader per
     * declaration; {@code type} checks that.
     */
    <T> T read(Class<T> type, Function<? super Declared<A>, ? extends T> reader) {
        Object value = read;
        if (value == null) {
            synchronized (this) {
                value = read;
                if (value == null) {
                    value = Objects.requireNonNull(reader.apply(this), "read");
                    read = value;
                }
            }
        }
        return type.cast(value);
    }

    String name() {
        return "@" + annotation.annotationType().getSimpleName();
    }

    /** {@return "@Name on method 'x()'"} */
    String describe() {
        return name() + " on " + where;
    }

    @Override
    public String toString() {
        return describe();
    }

    static <A extends Annotation> List<Declared<A>> closest(ExtensionContext context, Class<A> type, boolean repeatable) {
        Optional<Method> method = context.getTestMethod();
        if (method.isPresent()) {
            List<Declared<A>> found = cached(method.get().getDeclaringClass(), method.get(), type, repeatable);
            if (!found.isEmpty()) {
                return found;
            }
        }
        Set<Class<?>> seen = new HashSet<>();
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<Class<?>> testClass = c.getTestClass();
            if (testClass.isPresent() && seen.add(testClass.get())) {
                List<Declared<A>> found = cached(testClass.get(), testClass.get(), type, repeatable);
                if (!found.isEmpty()) {
                    return found;
                }
            }
        }
        return List.of();
    }

    /** {@return the annotations of {@code type} on {@code element}, a member of {@code owner} or {@code owner} itself; looked up once} */
    @SuppressWarnings("unchecked")
    private static <A extends Annotation> List<Declared<A>> cached(Class<?> owner, AnnotatedElement element, Class<A> type, boolean repeatable) {
        List<Declared<?>> found = FOUND.get(owner).computeIfAbsent(new Lookup(element, type, repeatable), lookup -> List.copyOf(find(element,
                type, repeatable, element instanceof Method m ? "method '" + m.getName() + "()'" : "class '" + owner.getSimpleName() + "'")));
        return (List<Declared<A>>) (List<?>) found;
    }

    private static <A extends Annotation> List<Declared<A>> find(AnnotatedElement element, Class<A> type,
            boolean repeatable, String where) {
        List<A> annotations = repeatable
                ? AnnotationSupport.findRepeatableAnnotations(element, type)
                : AnnotationSupport.findAnnotation(element, type).map(List::of).orElse(List.of());
        List<Declared<A>> result = new ArrayList<>(annotations.size());
        for (A annotation : annotations) {
            result.add(new Declared<>(annotation, where));
        }
        return result;
    }
}
