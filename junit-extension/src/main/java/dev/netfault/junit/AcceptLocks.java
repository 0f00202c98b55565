package dev.netfault.junit;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * {@link FailAccept} applies JVM-wide: with a port, it takes the lock {@code netfault.accept:<port>};
 * without one it fails the accepts of every listener, so it takes JUnit's global lock exclusively and
 * its test runs alone.
 */
final class AcceptLocks implements ResourceLocksProvider {

    /** The prefix of the lock keys, for tests that fail accepts on a port in code. */
    static final String PREFIX = "netfault.accept:";

    @Override
    public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
        Set<Lock> locks = new HashSet<>();
        for (AnnotatedElement element : TargetLocks.annotatedElements(enclosingInstanceTypes, testClass, testMethod)) {
            AnnotationSupport.findAnnotation(element, FailAccept.class).ifPresent(a -> locks.add(a.port() == 0
                    ? new Lock(Resources.GLOBAL, ResourceAccessMode.READ_WRITE)
                    : new Lock(PREFIX + a.port())));
        }
        return locks;
    }
}
