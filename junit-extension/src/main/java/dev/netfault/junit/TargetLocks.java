package dev.netfault.junit;

import dev.netfault.Target;
import dev.netfault.internal.Targets;
import dev.netfault.junit.internal.AnnotationKinds;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;

/**
 * Socket agent rules apply JVM-wide, so two tests aiming at the same target cannot run at once:
 * each target-aimed annotation (every kind in {@link AnnotationKinds}) takes the lock {@code netfault.target:<host>} (the host's address
 * when it resolves), and parallel tests serialize on it. A target with a port on any host overlaps
 * every host: it takes {@code netfault.target:*} exclusively, which every other aimed test shares.
 */
final class TargetLocks implements ResourceLocksProvider {

    /** The prefix of the lock keys, for tests that aim rules made in code at a target. */
    static final String PREFIX = "netfault.target:";
    private static final String ANY_HOST = PREFIX + "*";

    @Override
    public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
        Set<Lock> locks = new HashSet<>();
        boolean anyHost = false;
        for (AnnotatedElement element : annotatedElements(enclosingInstanceTypes, testClass, testMethod)) {
            for (String target : AnnotationKinds.targets(element)) {
                String key = key(target);
                anyHost |= key.equals(ANY_HOST);
                locks.add(new Lock(key));
            }
        }
        if (!locks.isEmpty() && !anyHost) {
            // A port on any host overlaps every host: such tests hold ANY_HOST exclusively, the others share it.
            locks.add(new Lock(ANY_HOST, ResourceAccessMode.READ));
        }
        return locks;
    }

    /** {@return where a test's annotations may be declared: the method, its class, the enclosing classes of a @Nested one} */
    static List<AnnotatedElement> annotatedElements(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
        List<AnnotatedElement> elements = new ArrayList<>();
        elements.add(testMethod);
        elements.add(testClass);
        elements.addAll(enclosingInstanceTypes);
        return elements;
    }

    static String key(String target) {
        try {
            Target parsed = Target.parse(target);
            if (parsed.host() == null) {
                return ANY_HOST;
            }
            InetAddress[] resolved = Targets.resolve(parsed);
            return PREFIX + (resolved.length > 0 ? resolved[0].getHostAddress() : parsed.host());
        } catch (IllegalArgumentException e) {
            return PREFIX + target; // reported as a misuse before the test runs
        }
    }
}
