package dev.netfault.junit.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 */
record Declared<A extends Annotation>(A annotation, String where) {

    /** What one lookup asks for on one element of a class (the class itself or one of its methods). */
    private record Lookup(AnnotatedElement element, Class<? extends Annotation> type, boolean repeatable) {
    }

    private static final ClassValue<ConcurrentMap<Lookup, List<Declared<?>>>> FOUND = new ClassValue<>() {
        @Override
        protected ConcurrentMap<Lookup, List<Declared<?>>> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    String name() {
        return "@" + annotation.annotationType().getSimpleName();
    }

    /** {@return "@Name on method 'x()'"} */
    String describe() {
        return name() + " on " + where;
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
