package dev.netfault.internal.agent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * The socket agent's one class file transformer: inlines {@link Advices} into the JDK's socket
 * classes and {@link NettyAdvices} into Netty's (any copy, shaded or not). The JVM calls it for every
 * class it loads from then on; a class that is not a target costs a hash lookup and a few string
 * comparisons on its name, with no class file parsed. Every piece of advice is resolved once, when
 * the transformer is made, and reused for every class it goes into.
 *
 * <p>A target is rewritten as ByteBuddy's agent does with class format changes disabled, with less
 * machinery: the class file as the JVM hands it over (another agent's changes included) goes through
 * the advice's ASM visitors once; no member is added, only the advised methods' code changes, and
 * every other method is copied as it is.
 */
final class SocketTransformer implements ClassFileTransformer {

    /** The JDK classes, by internal name, with the advice each gets. */
    private final Map<String, AsmVisitorWrapper> jdk;
    /** Netty's classes, by internal name in Netty's own packages; a shaded copy's name ends with {@code /} and that. */
    private static final Set<String> NETTY_CLASSES = Set.of("io/netty/channel/unix/Socket", "io/netty/channel/unix/FileDescriptor",
            "io/netty/channel/epoll/LinuxSocket", "io/netty/channel/uring/AbstractIoUringChannel",
            "io/netty/channel/uring/AbstractIoUringChannel$AbstractUringUnsafe", "io/netty/resolver/dns/DnsNameResolver");
    /** Their advice, once one of them was loaded. */
    private volatile Map<String, AsmVisitorWrapper> netty;
    /** Class format changes are disabled: no auxiliary type is ever made, so none is named. */
    private static final AuxiliaryType.NamingStrategy NO_AUXILIARY_TYPES = new AuxiliaryType.NamingStrategy.Suffixing("netfault");
    /** Leak tracking, in every socket's and channel's constructors, the JDK's and Netty's. */
    private final AsmVisitorWrapper opened;
    private final TypePool adviceTypes;
    private final ClassFileLocator adviceLocator;
    /** Set on a thread while it transforms: a target loaded meanwhile is left alone rather than transformed re-entrantly. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final Set<String> transformed = ConcurrentHashMap.newKeySet();
    private final Map<String, Throwable> errors = new ConcurrentHashMap<>();
    private final BiConsumer<String, Throwable> lateError;

    /** @param lateError told of every class that could not be transformed (by name and loader), as well as {@link #errors()} */
    SocketTransformer(BiConsumer<String, Throwable> lateError) {
        this.lateError = lateError;
        // The advice classes are read as class files, never loaded or reflected on (no annotation proxies).
        ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(SocketTransformer.class.getClassLoader());
        adviceTypes = TypePool.Default.of(adviceLocator);
        this.adviceLocator = adviceLocator;
        opened = advice(Advices.Opened.class).on(isConstructor());
        jdk = Map.of(
                "sun/nio/ch/Net", wrappers(advice(Advices.Connect.class)
                        .on(named("connect").and(takesArguments(4)).and(takesArgument(0, named("java.net.ProtocolFamily"))))),
                "sun/nio/ch/SocketDispatcher", wrappers(
                        advice(Advices.Read.class).on(namedOneOf("read", "readv").and(takesArguments(3))),
                        advice(Advices.Write.class).on(namedOneOf("write", "writev").and(takesArguments(3)))),
                "sun/nio/ch/NioSocketImpl", wrappers(advice(Advices.SocketImplAccept.class).on(named("accept").and(takesArguments(1)))),
                "sun/nio/ch/ServerSocketChannelImpl", wrappers(advice(Advices.ChannelAccept.class).on(named("implAccept")), opened),
                "sun/nio/ch/SocketChannelImpl", wrappers(opened),
                "java/net/InetAddress", wrappers(advice(Advices.Resolve.class).on(named("getAllByName").and(takesArguments(String.class)))),
                "java/net/Socket", wrappers(opened),
                "java/net/ServerSocket", wrappers(opened));
    }

    /** Netty's advice, resolved when the first of its classes shows up: most JVMs never load one. */
    private Map<String, AsmVisitorWrapper> netty() {
        Map<String, AsmVisitorWrapper> resolved = netty;
        if (resolved == null) {
            synchronized (this) {
                if (netty == null) {
                    netty = nettyAdvice();
                }
                resolved = netty;
            }
        }
        return resolved;
    }

    private Map<String, AsmVisitorWrapper> nettyAdvice() {
        Advice read = advice(NettyAdvices.Read.class);
        Advice write = advice(NettyAdvices.Write.class);
        Map<String, AsmVisitorWrapper> advice = Map.of(
                "io/netty/channel/unix/Socket", wrappers(
                        advice(NettyAdvices.Connect.class).on(javaMethod("connect", 1).and(takesArgument(0, named("java.net.SocketAddress")))),
                        advice(NettyAdvices.FastOpenConnect.class).on(javaMethod("sendTo", 6).or(javaMethod("sendToAddress", 6))
                                .and(takesArgument(3, named("java.net.InetAddress")))),
                        advice(NettyAdvices.FastOpenConnectVector.class).on(javaMethod("sendToAddresses", 5)
                                .and(takesArgument(2, named("java.net.InetAddress")))),
                        read.on(javaMethod("recv", 3).or(javaMethod("recvAddress", 3))),
                        write.on(javaMethod("send", 3).or(javaMethod("sendAddress", 3))),
                        advice(NettyAdvices.RemoteAddress.class).on(javaMethod("remoteAddress", 0)
                                .and(returns(named("java.net.InetSocketAddress")))),
                        opened),
                "io/netty/channel/unix/FileDescriptor", wrappers(
                        read.on(javaMethod("read", 3).or(javaMethod("readAddress", 3))),
                        write.on(javaMethod("write", 3).or(javaMethod("writeAddress", 3))
                                .or(javaMethod("writev", 4)).or(javaMethod("writevAddresses", 2))),
                        advice(NettyAdvices.Closed.class).on(javaMethod("markClosed", 0).and(returns(boolean.class)))),
                "io/netty/channel/epoll/LinuxSocket", wrappers(write.on(javaMethod("sendFile", 4))),
                "io/netty/channel/uring/AbstractIoUringChannel", wrappers(advice(NettyAdvices.UringConnect.class)
                        .on(javaMethod("submitConnect", 1).and(takesArgument(0, named("java.net.InetSocketAddress"))))),
                "io/netty/channel/uring/AbstractIoUringChannel$AbstractUringUnsafe", wrappers(advice(NettyAdvices.UringComplete.class)
                        .on(javaMethod("readComplete", 4).or(javaMethod("writeComplete", 4))
                                .and(takesArgument(0, byte.class)).and(takesArgument(1, int.class)))),
                "io/netty/resolver/dns/DnsNameResolver", wrappers(advice(NettyAdvices.Resolve.class)
                        .on(namedOneOf("doResolve", "doResolveAll").and(takesArguments(4)).and(takesArgument(0, String.class)))));
        if (!advice.keySet().equals(NETTY_CLASSES)) {
            throw new IllegalStateException("netfault's Netty advice and its list of Netty classes differ: " + advice.keySet());
        }
        return advice;
    }

    private Advice advice(Class<?> type) {
        return Advice.to(adviceTypes.describe(type.getName()).resolve(), adviceLocator);
    }

    private static AsmVisitorWrapper wrappers(AsmVisitorWrapper... wrappers) {
        return wrappers.length == 1 ? wrappers[0] : new AsmVisitorWrapper.Compound(wrappers);
    }

    /** A Java (not native, not static) method of a Netty class, by name and number of arguments. */
    private static ElementMatcher.Junction<MethodDescription> javaMethod(String name, int arguments) {
        return named(name).and(takesArguments(arguments)).and(not(isNative())).and(not(isStatic()));
    }

    /** {@return whether a class of this name (binary name, dots) is one this transformer rewrites} */
    boolean isTarget(String name) {
        String internalName = name.replace('.', '/');
        return jdk.containsKey(internalName) || nettyName(internalName) != null;
    }

    /** {@return the name in Netty's own packages of a Netty class this transformer rewrites, or null} */
    private static String nettyName(String internalName) {
        // In Netty's packages or a shaded copy's (io/grpc/netty/shaded/io/netty/...).
        int at = internalName.indexOf("io/netty/");
        if (at < 0 || (at > 0 && internalName.charAt(at - 1) != '/')) {
            return null;
        }
        String name = at == 0 ? internalName : internalName.substring(at);
        return NETTY_CLASSES.contains(name) ? name : null;
    }

    /** {@return the advice for a class by its internal name, or null if it is not a target} */
    private AsmVisitorWrapper advice(String internalName) {
        AsmVisitorWrapper found = jdk.get(internalName);
        if (found != null) {
            return found;
        }
        String netty = nettyName(internalName);
        return netty == null ? null : netty().get(netty);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null) {
            return null; // a hidden or anonymous class: never a target
        }
        if (!jdk.containsKey(className) && nettyName(className) == null || busy.get() != null) {
            return null;
        }
        String name = className.replace('/', '.');
        busy.set(Boolean.TRUE);
        try {
            byte[] rewritten = rewrite(name, loader, classfileBuffer, advice(className));
            transformed.add(name);
            return rewritten;
        } catch (Throwable t) {
            errors.put(name, t);
            lateError.accept(name + " (loaded by " + loader + ")", t);
            return null; // the class stays as it was
        } finally {
            busy.remove();
        }
    }

    private static byte[] rewrite(String name, ClassLoader loader, byte[] classfile, AsmVisitorWrapper advice) {
        // The class file as handed over first, then the class's own loader for the types it refers to
        // (a field an advice reads may be declared by a superclass).
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classfile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = new TypePool.Default.WithLazyResolution(TypePool.CacheProvider.Simple.withObjectType(), locator,
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(name).resolve();
        ClassFileVersion version = ClassFileVersion.ofClassFile(classfile);
        int writerFlags = advice.mergeWriter(AsmVisitorWrapper.NO_FLAGS);
        int readerFlags = advice.mergeReader(AsmVisitorWrapper.NO_FLAGS);
        if ((writerFlags & ClassWriter.COMPUTE_FRAMES) != 0) {
            throw new IllegalStateException("netfault's advice asks for frames to be computed, which would load classes");
        }
        ClassReader reader = OpenedClassReader.of(classfile);
        // Made from the reader: the constant pool is kept, and a method no advice applies to is copied as it is.
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(type, NO_AUXILIARY_TYPES,
                TypeInitializer.None.INSTANCE, version, version, (readerFlags & ClassReader.EXPAND_FRAMES) == 0
                        ? Implementation.Context.FrameGeneration.GENERATE : Implementation.Context.FrameGeneration.EXPAND);
        reader.accept(advice.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(), writerFlags,
                readerFlags), readerFlags);
        return writer.toByteArray();
    }

    /**
     * Rewrites the JDK's own copy of the class {@code name}, a target, and throws the result away:
     * the classes that rewriting needs get loaded, by a thread that would otherwise be idle, before
     * the retransformation needs them. A failure is left for the retransformation to report.
     */
    void warmUp(String name) {
        String internalName = name.replace('.', '/');
        try (InputStream in = Object.class.getModule().getResourceAsStream(internalName + ".class")) {
            if (in != null) {
                rewrite(name, null, in.readAllBytes(), jdk.get(internalName));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // the retransformation proper meets the same failure and says why
        }
    }

    /** {@return the names of the classes transformed so far} */
    Set<String> transformed() {
        return transformed;
    }

    /** {@return the classes that could not be transformed, with why} */
    Map<String, Throwable> errors() {
        return errors;
    }
}
