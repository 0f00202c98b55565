package dev.netfault.internal.agent;

import dev.netfault.AgentUnavailableException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Installs netfault's advice into the JDK's socket code once per JVM ({@link SocketTransformer},
 * which rewrites the target classes and nothing else), then proves it works. Rules are switched on
 * and off through the hooks afterwards; nothing is ever retransformed per test.
 */
public final class AgentInstaller {

    static final String HOOKS = "dev.netfault.internal.boot.NetFaultHooks";
    /** The JDK classes netfault instruments; each must be transformed for the self-check to pass. */
    static final List<String> TARGETS = List.of("sun.nio.ch.Net", "sun.nio.ch.SocketDispatcher", "sun.nio.ch.NioSocketImpl",
            "sun.nio.ch.ServerSocketChannelImpl", "sun.nio.ch.SocketChannelImpl", "java.net.InetAddress",
            "java.net.Socket", "java.net.ServerSocket");

    private static volatile boolean installed;
    private static AgentUnavailableException failure;
    private static volatile MethodHandle shutdown;
    private static volatile MethodHandle poll;
    private static volatile MethodHandle localPort;
    private static volatile MethodHandle remotePort;
    private static volatile short pollOut;

    private AgentInstaller() {
    }

    public static boolean isInstalled() {
        return installed;
    }

    /** Installs the agent once per JVM. @throws AgentUnavailableException with what to do about it */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        if (failure != null) {
            throw failure;
        }
        String step = "attach to the running JVM";
        try {
            Instrumentation inst = AgentEntry.instrumentation();
            boolean viaJavaagent = inst != null;
            // The advice is resolved on a thread of its own, meanwhile: the self-attach waits for a JVM started for it,
            // the rest of the install for the class path and the module system. Then that thread rewrites a copy of one
            // target, for nothing but to load the classes that rewriting needs while this one has not reached it.
            CompletableFuture<SocketTransformer> preparing = new CompletableFuture<>();
            Thread preparer = new InternalThread(() -> {
                SocketTransformer transformer;
                try {
                    transformer = transformer();
                } catch (Throwable t) {
                    preparing.completeExceptionally(t);
                    return;
                }
                preparing.complete(transformer);
                transformer.warmUp(TARGETS.get(0));
            }, "netfault-agent-install");
            preparer.setDaemon(true);
            preparer.start();
            JarPlace jars = JarPlace.underTmpdir();
            if (inst == null) {
                inst = attach(jars);
            } else {
                attachedVia = "-javaagent";
            }
            step = "put netfault's hooks on the bootstrap class path";
            Class<?> hooks = injectHooks(inst, jars);
            step = "let java.base reach netfault's hooks";
            Module javaBase = Object.class.getModule();
            inst.redefineModule(javaBase, Set.of(hooks.getModule()), Map.of("sun.net", Set.of(AgentInstaller.class.getModule())),
                    Map.of("sun.nio.ch", Set.of(AgentInstaller.class.getModule())), Set.of(), Map.of());
            Class<?> net = Class.forName("sun.nio.ch.Net");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
            shutdown = lookup.findStatic(net, "shutdown", MethodType.methodType(void.class, FileDescriptor.class, int.class));
            localPort = lookup.findStatic(net, "localPort", MethodType.methodType(int.class, FileDescriptor.class));
            remotePort = lookup.findStatic(net, "remotePort", MethodType.methodType(int.class, FileDescriptor.class));
            poll = lookup.findStatic(net, "poll", MethodType.methodType(int.class, FileDescriptor.class, int.class, long.class));
            pollOut = (Short) lookup.findStaticVarHandle(net, "POLLOUT", short.class).get();
            step = "instrument the JDK's socket classes";
            Set<String> transformed = transform(inst, await(preparing));
            step = "check the instrumentation";
            AgentRules.start(viaJavaagent);
            NettySupport.start();
            selfCheck(transformed);
            installed = true;
        } catch (Throwable t) {
            failure = new AgentUnavailableException(message(step, t), t);
            throw failure;
        }
    }

    /** How the agent reached the JVM, for the self-check's report and the tests: set once installed. */
    private static volatile String attachedVia = "not yet";

    /** {@return how the agent reached this JVM: {@code -javaagent}, the attach listener, or ByteBuddy's self-attach and why} */
    public static String attachedVia() {
        return attachedVia;
    }

    /**
     * Attaches through the JVM's attach listener from inside (no helper JVM: {@link SelfAttach}), or,
     * where that is not possible, through ByteBuddy's self-attach, which starts one.
     *
     * @param jars where the agent jar the attach listener loads goes, or why there is no such place
     */
    private static Instrumentation attach(JarPlace jars) throws IOException {
        String reason = jars.whyNone();
        if (jars.dir() != null) {
            try {
                String resource = AgentEntry.class.getName().replace('.', '/') + ".class";
                Path jar = jars.dir().materialize(resource, SelfAttach.agentEntryClass(), AgentEntry.class.getName());
                Instrumentation inst = SelfAttach.attach(jar, java.time.Duration.ofSeconds(5));
                attachedVia = "the attach listener";
                return inst;
            } catch (SelfAttach.Unavailable e) {
                reason = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
            } catch (IOException | RuntimeException e) {
                reason = String.valueOf(e);
            }
        }
        Instrumentation inst = ByteBuddyAgent.install();
        attachedVia = "ByteBuddy's self-attach: " + reason;
        return inst;
    }

    /**
     * netfault's directory for the agent's jars under {@code java.io.tmpdir}, checked and swept once
     * for both jars ({@link HooksJar}), or, where it is unusable, why.
     *
     * @param dir the directory, or {@code null} where there is none
     * @param whyNone why there is none, for {@link #attachedVia}; {@code null} where there is one
     */
    private record JarPlace(HooksJar dir, String whyNone) {
        static JarPlace underTmpdir() {
            try {
                return new JarPlace(HooksJar.in(Path.of(System.getProperty("java.io.tmpdir"))), null);
            } catch (IOException | RuntimeException e) {
                return new JarPlace(null, String.valueOf(e));
            }
        }
    }

    private static SocketTransformer transformer() {
        return new SocketTransformer((what, error) -> {
            if (installed) { // a class loaded later (Netty's): nobody reads the transformer's errors any more
                System.err.println("netfault: the socket agent could not instrument " + what
                        + "; its rules will not reach connections made through it: " + error);
            }
        });
    }

    /** {@return what {@code task} made, once it is done} An interrupt is kept for later: the install does not give up on it. */
    private static <T> T await(Future<T> task) throws Throwable {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @param jars where the shared hooks jar goes, or why there is no such place */
    private static Class<?> injectHooks(Instrumentation inst, JarPlace jars) throws IOException, ClassNotFoundException {
        String resource = HOOKS.replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = AgentInstaller.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from netfault's jar");
            }
            bytes = in.readAllBytes();
        }
        // One shared jar per content under java.io.tmpdir, which a killed JVM does not leave behind (HooksJar).
        Path jar = null;
        if (jars.dir() != null) {
            try {
                jar = jars.dir().materialize(resource, bytes);
            } catch (IOException | RuntimeException e) {
                // not written there: a jar of this JVM's own, below
            }
        }
        if (jar == null) {
            // No usable directory of netfault's own (another user made it): a jar of this JVM's own.
            jar = Files.createTempFile("netfault-hooks", ".jar");
            jar.toFile().deleteOnExit();
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new JarEntry(resource));
                out.write(bytes);
                out.closeEntry();
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        Class<?> hooks = Class.forName(HOOKS, true, null);
        // The class the application loader sees must be the bootstrap one: the advice runs inside
        // java.base and can only reach that copy.
        Class<?> seen = Class.forName(HOOKS, true, AgentInstaller.class.getClassLoader());
        if (hooks.getClassLoader() != null || seen != hooks) {
            throw new IllegalStateException(HOOKS + " was loaded by " + seen.getClassLoader()
                    + " before the agent put it on the bootstrap class path");
        }
        return hooks;
    }

    private static Set<String> transform(Instrumentation inst, SocketTransformer transformer)
            throws ClassNotFoundException, UnmodifiableClassException {
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (String name : TARGETS) {
            classes.add(Class.forName(name, false, null)); // loaded before transforming: classes loaded meanwhile would be skipped
        }
        inst.addTransformer(transformer, true);
        try {
            // Netty's classes that some code loaded before the agent: their names tell them, whatever loaded them.
            for (Class<?> loaded : inst.getAllLoadedClasses()) {
                if (loaded.getName().contains("io.netty.") && transformer.isTarget(loaded.getName()) && inst.isModifiableClass(loaded)) {
                    classes.add(loaded);
                }
            }
            inst.retransformClasses(classes.toArray(Class<?>[]::new));
            Map<String, Throwable> errors = transformer.errors();
            if (!errors.isEmpty()) {
                Map.Entry<String, Throwable> first = errors.entrySet().iterator().next();
                throw new IllegalStateException("ByteBuddy could not transform " + errors.keySet(), first.getValue());
            }
        } catch (RuntimeException | Error | UnmodifiableClassException e) {
            inst.removeTransformer(transformer);
            throw e;
        }
        return transformer.transformed();
    }

    private static void selfCheck(Set<String> transformed) {
        for (String name : TARGETS) {
            if (!transformed.contains(name)) {
                throw new IllegalStateException(name + " was not transformed (transformed: " + transformed + ")");
            }
        }
        AgentRules.selfCheck();
    }

    /** Shuts a socket down in both directions, as the kernel's own failure would leave it. */
    static void shutdown(FileDescriptor fd) {
        try {
            shutdown.invokeExact(fd, 2);
        } catch (Throwable ignored) {
            // already closed: the application will see that instead
        }
    }

    /** {@return whether the socket's connect has completed (it polls writable); false if that cannot be told} */
    static boolean connected(FileDescriptor fd) {
        try {
            return ((int) poll.invokeExact(fd, (int) pollOut, 0L) & pollOut) != 0;
        } catch (Throwable closedOrFailed) {
            return false;
        }
    }

    /** {@return the socket's local port, or -1 if it has none or is closed} */
    static int localPort(FileDescriptor fd) {
        try {
            return (int) localPort.invokeExact(fd);
        } catch (Throwable closed) {
            return -1;
        }
    }

    /** {@return the socket's peer port, or -1 if it is not connected or closed} */
    static int remotePort(FileDescriptor fd) {
        try {
            return (int) remotePort.invokeExact(fd);
        } catch (Throwable closed) {
            return -1;
        }
    }

    private static String message(String step, Throwable cause) {
        String version = AgentInstaller.class.getPackage().getImplementationVersion();
        String coordinates = "dev.netfault:netfault-core:" + (version == null ? "<version>" : version);
        return "netfault's socket agent could not be installed: it failed to " + step + ".\n"
                + "Cause: " + cause + "\n"
                + "The socket agent is needed for faults aimed at a target (target = \"host:port\") and for socket leak detection.\n"
                + "Fixes, in order:\n"
                + "  1. If the JVM forbids attaching to itself (-XX:+DisableAttachMechanism, or no jdk.attach module), load netfault\n"
                + "     as a Java agent instead (see the README, \"Requirements\"); " + javaagentLines(BuildTool.current(), coordinates)
                + "  2. To allow dynamic agents (and silence the JDK 21+ warning about them) instead: "
                + dynamicAgentLine(BuildTool.current())
                + "  3. If another agent or a security manager blocks retransforming java.base, run these tests without it.";
    }

    /** The build tool that runs the tests, as far as the test JVM can tell, so that the message names its line. */
    enum BuildTool {
        MAVEN, GRADLE, OTHER;

        static BuildTool current() {
            if (System.getProperty("org.gradle.test.worker") != null
                    || System.getProperty("java.class.path", "").contains("gradle-worker")) {
                return GRADLE;
            }
            if (System.getProperty("surefire.test.class.path") != null || System.getProperty("surefire.real.class.path") != null
                    || System.getProperty("java.class.path", "").contains("surefire")) {
                return MAVEN;
            }
            return OTHER;
        }
    }

    static String javaagentLines(BuildTool tool, String coordinates) {
        String maven = "in Maven, maven-dependency-plugin's \"properties\" goal sets the jar's path, then Surefire/Failsafe:\n"
                + "       <argLine>-javaagent:${dev.netfault:netfault-core:jar}</argLine>\n";
        String gradle = "in Gradle (Kotlin DSL), a configuration of its own:\n"
                + "       val netfaultAgent by configurations.creating\n"
                + "       dependencies { netfaultAgent(\"" + coordinates + "\") }\n"
                + "       tasks.test { jvmArgumentProviders.add(CommandLineArgumentProvider {"
                + " listOf(\"-javaagent:${netfaultAgent.singleFile}\") }) }\n";
        return switch (tool) {
            case MAVEN -> maven;
            case GRADLE -> gradle;
            case OTHER -> "give the JVM -javaagent:/path/to/" + coordinates.substring("dev.netfault:".length()).replace(':', '-')
                    + ".jar;\n     " + maven + "     or " + gradle;
        };
    }

    static String dynamicAgentLine(BuildTool tool) {
        return switch (tool) {
            case MAVEN -> "\n       <argLine>-XX:+EnableDynamicAgentLoading</argLine>\n";
            case GRADLE -> "\n       tasks.test { jvmArgs(\"-XX:+EnableDynamicAgentLoading\") }\n";
            case OTHER -> "the JVM option -XX:+EnableDynamicAgentLoading (JDK 9 and later)\n";
        };
    }
}
