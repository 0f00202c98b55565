package dev.netfault.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of one published module as text: every public or protected class, field,
 * constructor and method of its packages but {@code internal} ones, one line each, sorted. A test in
 * each published module compares it with the module's committed {@code api/<artifactId>.api} and
 * fails on any difference; {@code -Dnetfault.api.update=true} rewrites the file instead (then review
 * and commit the change).
 */
public final class ApiDump {

    /** The system property that makes {@link #check} write the dump instead of comparing it. */
    public static final String UPDATE_PROPERTY = "netfault.api.update";

    private ApiDump() {
    }

    /**
     * Compares the API of the classes that lie beside {@code anchor} (its module's classes) with
     * {@code api/<artifactId>.api} under the module's base directory, or rewrites that file when
     * {@value #UPDATE_PROPERTY} is {@code true}.
     */
    public static void check(Class<?> anchor, String artifactId) {
        Path file = Path.of(System.getProperty("basedir", ".")).resolve("api").resolve(artifactId + ".api");
        String actual = dump(anchor);
        try {
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            if (!expected.equals(actual)) {
                Set<String> was = new LinkedHashSet<>(expected.lines().toList());
                Set<String> is = new LinkedHashSet<>(actual.lines().toList());
                String removed = was.stream().filter(line -> !is.contains(line)).map(line -> "\n  - " + line).collect(Collectors.joining());
                String added = is.stream().filter(line -> !was.contains(line)).map(line -> "\n  + " + line).collect(Collectors.joining());
                fail("The public API of " + artifactId + " differs from " + file + " (lines removed -, added +):" + removed + added
                        + "\nIf the change is intended, record it: mvn -q -o test -pl test-support,core,assertj,junit-extension"
                        + " -Dtest=PublicApiTests -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE_PROPERTY + "=true"
                        + ", then review and commit the api/*.api files.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the API of the classes in the directory or jar {@code anchor} was loaded from} */
    public static String dump(Class<?> anchor) {
        Map<String, List<String>> types = new TreeMap<>();
        for (String name : classNames(anchor)) {
            Class<?> type;
            try {
                type = Class.forName(name, false, anchor.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            if (isApi(type)) {
                types.put(type.getName(), members(type));
            }
        }
        StringBuilder out = new StringBuilder();
        types.forEach((name, lines) -> {
            out.append(lines.get(0)).append('\n');
            lines.stream().skip(1).sorted().forEach(line -> out.append("  ").append(line).append('\n'));
            out.append('\n');
        });
        return out.toString();
    }

    private static List<String> classNames(Class<?> anchor) {
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return classNames(location);
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                return classNames(jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> classNames(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(file -> root.relativize(file).toString())
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF") && !name.contains("-info"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .filter(name -> !Arrays.asList(name.split("\\.")).contains("internal"))
                    .sorted().toList();
        }
    }

    private static boolean isApi(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic() || !visible(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static List<String> members(Class<?> type) {
        List<String> lines = new ArrayList<>();
        lines.add(header(type));
        for (Field field : type.getDeclaredFields()) {
            if (visible(field.getModifiers()) && !field.isSynthetic()) {
                lines.add(modifiers(field, Modifier.fieldModifiers() & ~(Modifier.VOLATILE | Modifier.TRANSIENT)) + name(field.getGenericType())
                        + " " + field.getName());
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (visible(constructor.getModifiers()) && !constructor.isSynthetic()) {
                lines.add(modifiers(constructor, Modifier.constructorModifiers()) + typeParameters(constructor.getTypeParameters())
                        + type.getSimpleName() + parameters(constructor));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (visible(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                int mask = Modifier.methodModifiers() & ~(Modifier.NATIVE | Modifier.SYNCHRONIZED | Modifier.STRICT);
                if (type.isInterface()) {
                    mask &= ~(Modifier.PUBLIC | Modifier.ABSTRACT);
                }
                String line = (method.isDefault() ? "default " : "") + modifiers(method, mask) + typeParameters(method.getTypeParameters())
                        + name(method.getGenericReturnType()) + " " + method.getName() + parameters(method);
                if (method.getDefaultValue() != null) {
                    line += " default " + value(method.getDefaultValue());
                }
                lines.add(line);
            }
        }
        return lines;
    }

    private static String header(Class<?> type) {
        int mask = Modifier.classModifiers() & ~Modifier.STRICT;
        String kind;
        if (type.isAnnotation()) {
            kind = "@interface";
            mask &= ~(Modifier.ABSTRACT | Modifier.INTERFACE);
        } else if (type.isInterface()) {
            kind = "interface";
            mask &= ~(Modifier.ABSTRACT | Modifier.INTERFACE);
        } else if (type.isEnum()) {
            kind = "enum";
            mask &= ~(Modifier.FINAL | Modifier.ABSTRACT);
        } else if (type.isRecord()) {
            kind = "record";
            mask &= ~Modifier.FINAL;
        } else {
            kind = "class";
        }
        StringBuilder header = new StringBuilder(Modifier.toString(type.getModifiers() & mask));
        if (type.isSealed()) {
            header.append(" sealed");
        }
        header.append(' ').append(kind).append(' ').append(type.getName()).append(typeParameters(type.getTypeParameters()).stripTrailing());
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            header.append(" extends ").append(name(superclass));
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0 && !type.isAnnotation()) {
            header.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces).map(ApiDump::name).collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            header.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(Class::getName).sorted()
                    .collect(Collectors.joining(", ")));
        }
        return header.toString().trim();
    }

    private static String modifiers(Member member, int mask) {
        String text = Modifier.toString(member.getModifiers() & mask);
        return text.isEmpty() ? "" : text + " ";
    }

    private static String typeParameters(TypeVariable<?>[] variables) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(b -> b != Object.class).map(ApiDump::name).toList();
            return bounds.isEmpty() ? v.getName() : v.getName() + " extends " + String.join(" & ", bounds);
        }).collect(Collectors.joining(", ", "<", "> "));
    }

    private static String parameters(Executable executable) {
        Type[] types = executable.getGenericParameterTypes();
        if (types.length != executable.getParameterCount()) { // inner-class constructors: fall back to the erased types
            types = executable.getParameterTypes();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            String name = name(types[i]);
            if (executable.isVarArgs() && i == types.length - 1) {
                name = name.substring(0, name.length() - 2) + "...";
            }
            names.add(name);
        }
        String text = "(" + String.join(", ", names) + ")";
        Type[] exceptions = executable.getGenericExceptionTypes();
        if (exceptions.length > 0) {
            text += " throws " + Arrays.stream(exceptions).map(ApiDump::name).sorted().collect(Collectors.joining(", "));
        }
        return text;
    }

    private static String name(Type type) {
        return type.getTypeName();
    }

    private static String value(Object value) {
        if (value.getClass().isArray()) {
            List<String> elements = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                elements.add(value(Array.get(value, i)));
            }
            return "{" + String.join(", ", elements) + "}";
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        if (value instanceof Class<?> c) {
            return c.getTypeName() + ".class";
        }
        if (value instanceof Enum<?> e) {
            return e.getDeclaringClass().getSimpleName() + "." + e.name();
        }
        if (value instanceof Character c) {
            return "'" + c + "'";
        }
        if (value instanceof Long l) {
            return l + "L";
        }
        if (value instanceof Float f) {
            return f + "f";
        }
        return String.valueOf(value);
    }
}
