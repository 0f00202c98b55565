package dev.netfault.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.junit.EnableNetFault;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The registry of annotation kinds is complete: a new annotation with a target cannot be forgotten by the locks and the plan. */
@DisplayName("the registry of annotation kinds")
class AnnotationKindsTests {

    /** The extension's switch: it aims at nothing. */
    private static final Set<Class<?>> NOT_FAULTS = Set.of(EnableNetFault.class);

    /** {@return whether {@code type} is the container of a repeatable annotation} */
    private static boolean isContainer(Class<? extends Annotation> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .anyMatch(m -> m.getName().equals("value") && m.getReturnType().isArray() && m.getReturnType().getComponentType().isAnnotation());
    }

    private static List<Class<? extends Annotation>> annotationsOfThePublicPackage() throws IOException, URISyntaxException {
        URL url = EnableNetFault.class.getResource("EnableNetFault.class");
        Path dir = Path.of(url.toURI()).getParent();
        List<Class<? extends Annotation>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = "dev.netfault.junit." + file.getFileName().toString().replace(".class", "").replace('/', '.');
                try {
                    Class<?> type = Class.forName(name, false, EnableNetFault.class.getClassLoader());
                    if (type.isAnnotation()) {
                        found.add(type.asSubclass(Annotation.class));
                    }
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return found;
    }

    private static boolean registersNetFaultExtension(Class<? extends Annotation> type) {
        ExtendWith extendWith = type.getAnnotation(ExtendWith.class);
        return extendWith != null && Arrays.stream(extendWith.value()).anyMatch(c -> c.getName().equals("dev.netfault.junit.NetFaultExtension"));
    }

    @Test
    void everyAnnotationWithATargetOrThatRegistersTheExtensionIsInTheRegistry() throws Exception {
        Set<Class<? extends Annotation>> registered = AnnotationKinds.all().stream().map(AnnotationKinds.Kind::type).collect(Collectors.toSet());
        List<Class<? extends Annotation>> annotations = annotationsOfThePublicPackage();
        assertThat(annotations).as("the scan found the package's annotations").hasSizeGreaterThan(10);
        for (Class<? extends Annotation> type : annotations) {
            boolean hasTarget = Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals("target"));
            boolean fault = registersNetFaultExtension(type) && !NOT_FAULTS.contains(type) && !isContainer(type);
            if (hasTarget || fault) {
                assertThat(registered).as("@%s has a target or is a fault annotation: it belongs in AnnotationKinds", type.getSimpleName())
                        .contains(type);
            }
        }
    }

    @Test
    void eachKindNamesAStringAttributeOfItsAnnotation() throws Exception {
        for (AnnotationKinds.Kind kind : AnnotationKinds.all()) {
            if (kind.targetAttribute() == null) { // aimed at listening ports: its own lock
                assertThat(kind.type().getAnnotation(ResourceLock.class)).as(kind.display() + " takes a resource lock").isNotNull();
                continue;
            }
            Method attribute = kind.type().getMethod(kind.targetAttribute());
            assertThat(attribute.getReturnType()).as(kind.display() + "." + kind.targetAttribute()).isEqualTo(String.class);
            assertThat(registersNetFaultExtension(kind.type())).as(kind.display() + " registers the extension").isTrue();
            ResourceLock lock = kind.type().getAnnotation(ResourceLock.class);
            assertThat(lock).as(kind.display() + " takes the per-target resource lock").isNotNull();
            assertThat(lock.providers()).extracting(Class::getName).as(kind.display() + " lock providers").contains("dev.netfault.junit.TargetLocks");
        }
    }

    @Test
    void listsNamesForMessages() {
        assertThat(AnnotationKinds.names(AnnotationKinds.Role.AGENT_RULE)).isEqualTo("@RefuseConnections, @TimeOutConnections, @FailResolution or @FailAccept");
    }

    @Test
    void everyListenerFaultDeclaresTheSharedWhenAndWhichAttributesAlike() throws Exception {
        List<AnnotationKinds.Kind> withTriggers = new ArrayList<>();
        for (AnnotationKinds.Kind kind : AnnotationKinds.with(AnnotationKinds.Role.LISTENER_FAULT)) {
            boolean triggers = WhenAndWhich.takesTriggers(kind);
            if (triggers) {
                withTriggers.add(kind);
            }
            for (WhenAndWhich.Attribute attribute : WhenAndWhich.ATTRIBUTES) {
                if (!triggers && attribute.group() != WhenAndWhich.Group.CONNECTIONS) {
                    assertThat(Arrays.stream(kind.type().getDeclaredMethods()).map(Method::getName))
                            .as("%s takes no triggers, so no %s either", kind.display(), attribute.name()).doesNotContain(attribute.name());
                    continue;
                }
                Method method = kind.type().getMethod(attribute.name());
                assertThat(method.getReturnType()).as("%s.%s", kind.display(), attribute.name()).isEqualTo(attribute.type());
                assertThat(method.getDefaultValue()).as("default of %s.%s", kind.display(), attribute.name()).isEqualTo(attribute.unset());
            }
        }
        assertThat(withTriggers).as("the kinds that take triggers").hasSize(8);
    }
}
