package dev.netfault.junit.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * An annotation and where it was declared, for messages. Lookup follows JUnit's rules: the
 * closest declaration wins (the method, then its class, then enclosing classes of {@code @Nested}
 * tests); meta-annotations and {@code @Inherited} count.
 */
record Declared<A extends Annotation>(A annotation, String where) {

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
            List<Declared<A>> found = find(method.get(), type, repeatable, "method '" + method.get().getName() + "()'");
            if (!found.isEmpty()) {
                return found;
            }
        }
        Set<Class<?>> seen = new HashSet<>();
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<Class<?>> testClass = c.getTestClass();
            if (testClass.isPresent() && seen.add(testClass.get())) {
                List<Declared<A>> found = find(testClass.get(), type, repeatable, "class '" + testClass.get().getSimpleName() + "'");
                if (!found.isEmpty()) {
                    return found;
                }
            }
        }
        return List.of();
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
