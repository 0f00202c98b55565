package dev.netfault.internal.agent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.netfault.AgentUnavailableException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.utility.JavaModule;

/**
 * Owns the one {@link AgentBuilder} of the JVM: installs netfault's advice into the JDK's socket
 * code once, then proves it works. Rules are switched on and off through the hooks afterwards;
 * nothing is ever retransformed per test.
 */
public final class AgentInstaller {

    static final String HOOKS = "dev.netfault.internal.boot.NetFaultHooks";
    private static final String NEXUS_DISABLED = "net.bytebuddy.nexus.disabled";
    /** The JDK classes netfault instruments; each must be transformed for the self-check to pass. */
    static final List<String> TARGETS = List.of("sun.nio.ch.Net", "sun.nio.ch.SocketDispatcher", "sun.nio.ch.NioSocketImpl",
            "sun.nio.ch.ServerSocketChannelImpl", "sun.nio.ch.SocketChannelImpl", "java.net.InetAddress",
            "java.net.Socket", "java.net.ServerSocket");

    /** Netty's native transport and DNS resolver classes, in any copy of Netty; they load after the agent, if at all. */
    private static final String NETTY_SOCKET = "io.netty.channel.unix.Socket";
    private static final String NETTY_FD = "io.netty.channel.unix.FileDescriptor";
    private static final String NETTY_EPOLL_SOCKET = "io.netty.channel.epoll.LinuxSocket";
    private static final String NETTY_URING_CHANNEL = "io.netty.channel.uring.AbstractIoUringChannel";
    private static final String NETTY_URING_UNSAFE = "io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe";
    private static final String NETTY_DNS_RESOLVER = "io.netty.resolver.dns.DnsNameResolver";

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
            if (inst == null) {
                inst = ByteBuddyAgent.install();
            }
            step = "put netfault's hooks on the bootstrap class path";
            Class<?> hooks = injectHooks(inst);
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
            Set<String> transformed = transform(inst);
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

    private static Class<?> injectHooks(Instrumentation inst) throws IOException, ClassNotFoundException {
        String resource = HOOKS.replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = AgentInstaller.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from netfault's jar");
            }
            bytes = in.readAllBytes();
        }
        // One shared jar per content under java.io.tmpdir, which a killed JVM does not leave behind (HooksJar).
        Path jar;
        try {
            jar = HooksJar.materialize(Path.of(System.getProperty("java.io.tmpdir")), resource, bytes);
        } catch (IOException | RuntimeException e) {
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

    private static Set<String> transform(Instrumentation inst) throws ClassNotFoundException {
        for (String name : TARGETS) {
            Class.forName(name, false, null); // loaded before transforming: classes loaded meanwhile would be skipped
        }
        Set<String> transformed = ConcurrentHashMap.newKeySet();
        Map<String, Throwable> errors = new ConcurrentHashMap<>();
        // ByteBuddy's nexus serves initialization strategies netfault does not use; disabled while the
        // builder is made, it does not reach for sun.misc.Unsafe (a warning on JDK 24 and later).
        String nexus = System.getProperty(NEXUS_DISABLED);
        System.setProperty(NEXUS_DISABLED, "true");
        AgentBuilder agentBuilder;
        try {
            agentBuilder = new AgentBuilder.Default();
        } finally {
            if (nexus == null) {
                System.clearProperty(NEXUS_DISABLED);
            } else {
                System.setProperty(NEXUS_DISABLED, nexus);
            }
        }
        agentBuilder
                .disableClassFormatChanges() // loaded JDK classes can only be retransformed without new members
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .ignore(ElementMatchers.none()) // the default ignores exactly the JDK classes we need
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                            DynamicType dynamicType) {
                        transformed.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
                        errors.put(typeName, error);
                        if (installed) { // a class loaded later (Netty's): nobody reads errors any more
                            System.err.println("netfault: the socket agent could not instrument " + typeName + " (loaded by " + loader
                                    + "); its rules will not reach connections made through it: " + error);
                        }
                    }
                })
                .type(named("sun.nio.ch.Net"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Advices.Connect.class)
                        .on(named("connect").and(takesArguments(4)).and(takesArgument(0, named("java.net.ProtocolFamily"))))))
                .type(named("sun.nio.ch.SocketDispatcher"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.Read.class).on(namedOneOf("read", "readv").and(takesArguments(3))))
                        .visit(Advice.to(Advices.Write.class).on(namedOneOf("write", "writev").and(takesArguments(3)))))
                .type(named("sun.nio.ch.NioSocketImpl"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Advices.SocketImplAccept.class)
                        .on(named("accept").and(takesArguments(1)))))
                .type(named("sun.nio.ch.ServerSocketChannelImpl"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Advices.ChannelAccept.class).on(named("implAccept")))
                        .visit(Advice.to(Advices.Opened.class).on(isConstructor())))
                .type(named("sun.nio.ch.SocketChannelImpl"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Advices.Opened.class).on(isConstructor())))
                .type(named("java.net.InetAddress"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Advices.Resolve.class)
                        .on(named("getAllByName").and(takesArguments(String.class)))))
                .type(namedOneOf("java.net.Socket", "java.net.ServerSocket"))
                .transform((builder, type, loader, module, domain) -> builder.visit(Advice.to(Advices.Opened.class).on(isConstructor())))
                // Netty's native transports (epoll, kqueue) and DNS resolver, shaded copies included: loaded later, if at all.
                .type(nettyType(NETTY_SOCKET))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.Connect.class).on(javaMethod("connect", 1)
                                .and(takesArgument(0, named("java.net.SocketAddress")))))
                        .visit(Advice.to(NettyAdvices.FastOpenConnect.class).on(javaMethod("sendTo", 6).or(javaMethod("sendToAddress", 6))
                                .and(takesArgument(3, named("java.net.InetAddress")))))
                        .visit(Advice.to(NettyAdvices.FastOpenConnectVector.class).on(javaMethod("sendToAddresses", 5)
                                .and(takesArgument(2, named("java.net.InetAddress")))))
                        .visit(Advice.to(NettyAdvices.Read.class).on(javaMethod("recv", 3).or(javaMethod("recvAddress", 3))))
                        .visit(Advice.to(NettyAdvices.Write.class).on(javaMethod("send", 3).or(javaMethod("sendAddress", 3))))
                        .visit(Advice.to(NettyAdvices.RemoteAddress.class).on(javaMethod("remoteAddress", 0)
                                .and(ElementMatchers.returns(named("java.net.InetSocketAddress")))))
                        .visit(Advice.to(Advices.Opened.class).on(isConstructor())))
                .type(nettyType(NETTY_FD))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.Read.class).on(javaMethod("read", 3).or(javaMethod("readAddress", 3))))
                        .visit(Advice.to(NettyAdvices.Write.class).on(javaMethod("write", 3).or(javaMethod("writeAddress", 3))
                                .or(javaMethod("writev", 4)).or(javaMethod("writevAddresses", 2))))
                        .visit(Advice.to(NettyAdvices.Closed.class).on(javaMethod("markClosed", 0).and(ElementMatchers.returns(boolean.class)))))
                .type(nettyType(NETTY_EPOLL_SOCKET))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.Write.class).on(javaMethod("sendFile", 4))))
                .type(nettyType(NETTY_URING_CHANNEL))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.UringConnect.class).on(javaMethod("submitConnect", 1)
                                .and(takesArgument(0, named("java.net.InetSocketAddress"))))))
                .type(nettyType(NETTY_URING_UNSAFE))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.UringComplete.class).on(javaMethod("readComplete", 4).or(javaMethod("writeComplete", 4))
                                .and(takesArgument(0, byte.class)).and(takesArgument(1, int.class)))))
                .type(nettyType(NETTY_DNS_RESOLVER))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(NettyAdvices.Resolve.class).on(namedOneOf("doResolve", "doResolveAll").and(takesArguments(4))
                                .and(takesArgument(0, String.class)))))
                .installOn(inst);
        if (!errors.isEmpty()) {
            Map.Entry<String, Throwable> first = errors.entrySet().iterator().next();
            throw new IllegalStateException("ByteBuddy could not transform " + errors.keySet(), first.getValue());
        }
        return transformed;
    }

    /** A Netty class by its name in Netty, or in a copy of Netty shaded under some prefix ({@code io.grpc.netty.shaded.}). */
    private static ElementMatcher.Junction<TypeDescription> nettyType(String name) {
        return named(name).or(nameEndsWith("." + name));
    }

    /** A Java (not native, not static) method of a Netty class, by name and number of arguments. */
    private static ElementMatcher.Junction<MethodDescription> javaMethod(String name, int arguments) {
        return named(name).and(takesArguments(arguments)).and(not(isNative())).and(not(isStatic()));
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
