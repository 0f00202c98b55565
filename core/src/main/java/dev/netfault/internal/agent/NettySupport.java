package dev.netfault.internal.agent;

import dev.netfault.internal.boot.NetFaultHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Netty's native transports (epoll, and any copy of Netty, shaded or not) and Netty's DNS resolver
 * under the socket agent's rules. The advice in {@link NettyAdvices} calls {@link #on} through
 * {@link NetFaultHooks#nettyHook}; this class applies the same rules as the JDK path by calling the
 * same hooks ({@link NetFaultHooks#connect}, {@link NetFaultHooks#io}, {@link NetFaultHooks#resolve}),
 * and speaks Netty's language back: {@code Errors.NativeIoException} with Netty's own message for an
 * errno, {@code UnknownHostException} as {@code DnsNameResolver} words it for a name that does not exist.
 *
 * <p>A native socket is a plain int file descriptor. For the rules it gets a {@link FileDescriptor}
 * of its own with the same number ({@code sun.nio.ch.IOUtil.newFD}), remembered while the socket is
 * open; it is invalidated when Netty closes the socket, so that a fault firing later never shuts
 * down another socket that got the number.
 */
final class NettySupport {

    private static final int ETIMEDOUT = 110;
    private static final int ECONNRESET = 104;
    /**
     * The Netty native sockets ({@code io.netty.channel.unix.Socket}) whose connect a rule saw, by identity (Netty's
     * own equals compares descriptor numbers, which the kernel reuses), until Netty marks them closed.
     */
    private static final Map<Identity, Known> KNOWN = new ConcurrentHashMap<>();

    /** A socket by identity. */
    private record Identity(Object socket) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity that && that.socket == socket;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(socket);
        }
    }

    /** What the agent knows of a socket: its stand-in JDK descriptor, the address asked for if redirected. */
    private static final class Known {
        final FileDescriptor fd;
        volatile InetSocketAddress asked;
        /** io_uring: the errno of a fault that fired while an operation completed with data (0: none); the next completion reports it. */
        volatile int pendingErrno;

        Known(FileDescriptor fd) {
            this.fd = fd;
        }
    }

    private static Known known(Object socket) {
        return socket == null ? null : KNOWN.get(new Identity(socket));
    }
    private static final ClassValue<Method> INT_VALUE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            return publicMethod(type, "intValue");
        }
    };
    private static MethodHandle newFd;
    private static MethodHandle setFdVal;

    private NettySupport() {
    }

    static void start() throws ReflectiveOperationException {
        Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
        newFd = lookup.findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class));
        setFdVal = lookup.findStatic(ioUtil, "setfdVal", MethodType.methodType(void.class, FileDescriptor.class, int.class));
        NetFaultHooks.nettyHook = NettySupport::on;
    }

    static Object on(String event, Object[] arguments) {
        switch (event) {
            case "connect":
                return onConnect(arguments[0], (SocketAddress) arguments[1]);
            case "io":
                return onIo(arguments[0], (String) arguments[1], (Boolean) arguments[2]);
            case "uring":
                return onUringCompletion(arguments[0], (String) arguments[1], (Integer) arguments[2]);
            case "connected":
                Known connected = known(arguments[0]);
                if (connected != null) {
                    NetFaultHooks.connected(connected.fd); // the agent tells this connection apart from a later reuse of its number
                }
                return null;
            case "remote":
                Known known = known(arguments[0]);
                return known == null ? null : known.asked;
            case "closed":
                onClosed(arguments[0]);
                return null;
            case "resolve":
                return onResolve(arguments[0], (String) arguments[1], arguments[2], (String) arguments[3]);
            default:
                return null;
        }
    }

    // ---- connect, I/O, close -------------------------------------------------------------------

    private static Object onConnect(Object socket, SocketAddress requested) {
        if (!(requested instanceof InetSocketAddress address) || address.isUnresolved()) {
            return null; // a Unix domain socket, or an address Netty will reject itself
        }
        Known known = KNOWN.computeIfAbsent(new Identity(socket), id -> new Known(standInFd(socket)));
        NetFaultHooks.nettySockets = true;
        Object decision = NetFaultHooks.connect(known.fd, address.getAddress(), address.getPort());
        if (decision instanceof InetSocketAddress destination) {
            known.asked = address; // its remote address stays the one asked for, as on the JDK path
            return destination;
        }
        return decision instanceof IOException ? decision : null;
    }

    private static FileDescriptor standInFd(Object socket) {
        try {
            int number = (Integer) INT_VALUE.get(socket.getClass()).invoke(socket);
            return (FileDescriptor) newFd.invokeExact(number);
        } catch (Throwable e) {
            throw new IllegalStateException("netfault could not read the file descriptor of Netty's " + socket, e);
        }
    }

    private static Object onIo(Object socket, String method, boolean afterward) {
        Known known = known(socket);
        if (known == null) {
            return null;
        }
        IOException failure = NetFaultHooks.io(known.fd, !method.contains("recv") && !method.contains("read"), afterward);
        if (failure == null) {
            return null;
        }
        // The JDK path words the errno the JDK's way; Netty's native transport reports it as Errors.newIOException does.
        int errno = errno(failure);
        if (errno == 0) {
            return new IOException("netfault cannot word " + failure + " as Netty's native transport would for " + method, failure);
        }
        return nativeIoException(socket.getClass(), method.equals("sendFile") ? "sendfile" : method, errno, failure);
    }

    /** {@return the errno of a failure the agent's rules report (ETIMEDOUT, ECONNRESET), or 0} */
    private static int errno(IOException failure) {
        String message = failure.getMessage();
        if ("Connection timed out".equals(message)) {
            return ETIMEDOUT;
        }
        return "Connection reset".equals(message) || "Connection reset by peer".equals(message) ? ECONNRESET : 0;
    }

    private static final int ECANCELED = 125;
    /** An io_uring channel's unsafe to its channel's socket (the outer instance's {@code socket} field). */
    private static final ClassValue<Field[]> URING_SOCKET = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> unsafeType) {
            for (Class<?> c = unsafeType; c != null; c = c.getSuperclass()) {
                for (Field outer : c.getDeclaredFields()) {
                    if (outer.getName().startsWith("this$") && outer.getType().getName().endsWith("io.netty.channel.uring.AbstractIoUringChannel")) {
                        try {
                            Field socket = outer.getType().getDeclaredField("socket");
                            outer.setAccessible(true);
                            socket.setAccessible(true);
                            return new Field[] {outer, socket};
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            throw new IllegalStateException("netfault cannot find the socket of " + unsafeType.getName(), e);
                        }
                    }
                }
            }
            throw new IllegalStateException("netfault cannot find the channel of " + unsafeType.getName());
        }
    };

    /**
     * An io_uring read or write completed with {@code res}. {@return null (leave it), or the result to use instead:
     * -ETIMEDOUT when the socket's fault fired} Only a completion that carries no data (end of stream, an error) is
     * rewritten; a fault that fires on one that does is reported by the socket's next completion.
     */
    private static Object onUringCompletion(Object unsafe, String method, int res) {
        Object socket;
        try {
            Field[] path = URING_SOCKET.get(unsafe.getClass());
            socket = path[1].get(path[0].get(unsafe));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        Known known = known(socket);
        if (known == null) {
            return null;
        }
        boolean write = method.startsWith("write");
        boolean rewritable = res != -ECANCELED && (write ? res < 0 : res <= 0);
        int pending = known.pendingErrno;
        if (rewritable && pending != 0) {
            known.pendingErrno = 0;
            return -pending;
        }
        IOException failure = NetFaultHooks.io(known.fd, write, false);
        if (failure == null) {
            return null;
        }
        int errno = errno(failure);
        if (errno == 0) {
            throw new IllegalStateException("netfault cannot report " + failure + " through io_uring", failure);
        }
        if (rewritable) {
            return -errno;
        }
        known.pendingErrno = errno;
        return null;
    }

    /** {@code <prefix>io.netty.channel.unix.Errors.newIOException(method, -errno)} in the socket's own copy of Netty. */
    static IOException nativeIoException(Class<?> socketType, String method, int errno, IOException jdkFailure) {
        String name = socketType.getName();
        int at = name.indexOf("io.netty.");
        try {
            Class<?> errors = Class.forName(name.substring(0, at + "io.netty.".length()) + "channel.unix.Errors", true,
                    socketType.getClassLoader());
            return (IOException) errors.getMethod("newIOException", String.class, int.class).invoke(null, method, -errno);
        } catch (ReflectiveOperationException | RuntimeException e) {
            IOException loud = new IOException("netfault could not make Netty's own exception for " + method + "(..) failing with "
                    + jdkFailure.getMessage() + " (errno " + errno + "): " + e, jdkFailure);
            loud.addSuppressed(e);
            return loud;
        }
    }

    private static void onClosed(Object socket) {
        Known known = KNOWN.remove(new Identity(socket));
        if (known != null) {
            try {
                setFdVal.invokeExact(known.fd, -1); // a fault firing later finds a closed descriptor, not a reused number
            } catch (Throwable impossible) {
                throw new IllegalStateException(impossible);
            }
            if (KNOWN.isEmpty()) {
                NetFaultHooks.nettySockets = false;
                if (!KNOWN.isEmpty()) { // a connect raced with the flag: keep it on
                    NetFaultHooks.nettySockets = true;
                }
            }
        }
    }

    // ---- leak tracking -------------------------------------------------------------------------

    /** Whether {@code socket} is one of Netty's native sockets ({@code io.netty.channel.unix.Socket}, any copy). */
    static boolean isNettySocket(Object socket) {
        for (Class<?> c = socket.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().endsWith("io.netty.channel.unix.Socket")) {
                return true;
            }
        }
        return false;
    }

    /** {@return {kind, local, remote} of an open Netty native socket, or null if it is closed} */
    static String[] describeOpen(Object socket) {
        try {
            Class<?> type = socket.getClass();
            if (!(Boolean) publicMethod(type, "isOpen").invoke(socket)) {
                return null;
            }
            Object local = publicMethod(type, "localAddress").invoke(socket);
            Object remote = publicMethod(type, "remoteAddress").invoke(socket);
            return new String[] {"Netty native socket (" + type.getSimpleName() + " fd " + publicMethod(type, "intValue").invoke(socket) + ")",
                    String.valueOf(local), remote == null ? null : remote.toString()};
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new String[] {"Netty native socket (" + socket + ")", "?", null}; // open, but it would not say more
        }
    }

    // ---- name resolution -----------------------------------------------------------------------

    private static Object onResolve(Object resolver, String host, Object promise, String method) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return null; // an address literal: Netty answers it itself
        }
        Object answer = AgentRules.resolve(name, false); // Netty words its own failure: the JDK's first lookup stays the JDK's
        boolean all = method.equals("doResolveAll");
        if (answer instanceof InetAddress[] addresses) {
            Object result = all ? new ArrayList<>(Arrays.asList(addresses)) : addresses[0];
            invoke(promise, "trySuccess", new Class<?>[] {Object.class}, result);
            return Boolean.TRUE;
        }
        if (answer instanceof UnknownHostException) {
            invoke(promise, "tryFailure", new Class<?>[] {Throwable.class}, unknownHost(resolver, host));
            return Boolean.TRUE;
        }
        return null;
    }

    /**
     * What {@code DnsNameResolver} fails a lookup with when its name server answers NXDOMAIN (authoritatively)
     * for each record type it asks: "Failed to resolve 'host' [A(1), AAAA(28)] after 2 queries ", caused by
     * Netty's shared {@code DnsErrorCauseException} "Query failed with NXDOMAIN".
     */
    static UnknownHostException unknownHost(Object resolver, String host) {
        Object[] types = null;
        Throwable cause = null;
        try {
            Class<?> type = resolver.getClass();
            while (!type.getName().endsWith("io.netty.resolver.dns.DnsNameResolver")) {
                type = type.getSuperclass();
            }
            Method recordTypes = type.getDeclaredMethod("resolveRecordTypes");
            recordTypes.setAccessible(true);
            types = (Object[]) recordTypes.invoke(resolver);
            Class<?> context = Class.forName(type.getPackageName() + ".DnsResolveContext", true, type.getClassLoader());
            Field nxdomain = context.getDeclaredField("NXDOMAIN_CAUSE_QUERY_FAILED_EXCEPTION");
            nxdomain.setAccessible(true);
            cause = (Throwable) nxdomain.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another Netty release: the message below still names the host
        }
        StringBuilder message = new StringBuilder("Failed to resolve '").append(host).append("' ");
        message.append(types == null ? "[A(1)]" : Arrays.toString(types));
        if (types != null && types.length > 1) {
            message.append(" after ").append(types.length).append(" queries ");
        }
        UnknownHostException failure = new UnknownHostException(message.toString());
        if (cause != null) {
            failure.initCause(cause);
        }
        return failure;
    }

    // ---- reflection ----------------------------------------------------------------------------

    private static void invoke(Object target, String name, Class<?>[] parameters, Object argument) {
        try {
            publicMethod(target.getClass(), name, parameters).invoke(target, argument);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("netfault could not call " + name + " on " + target.getClass().getName(), e);
        }
    }

    /** The method as declared by a public class or interface (a promise's own class may well be private). */
    static Method publicMethod(Class<?> type, String name, Class<?>... parameters) {
        List<Class<?>> queue = new ArrayList<>();
        queue.add(type);
        for (int i = 0; i < queue.size(); i++) {
            Class<?> c = queue.get(i);
            if (Modifier.isPublic(c.getModifiers())) {
                try {
                    Method method = c.getMethod(name, parameters);
                    if (Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
                        return method;
                    }
                } catch (NoSuchMethodException e) {
                    // keep looking
                }
            }
            if (c.getSuperclass() != null) {
                queue.add(c.getSuperclass());
            }
            queue.addAll(Arrays.asList(c.getInterfaces()));
        }
        throw new IllegalStateException(type.getName() + " has no public " + name + Arrays.toString(parameters));
    }
}
