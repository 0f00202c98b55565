package dev.netfault.internal.boot;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The dispatcher that netfault's advice, inlined into JDK classes, calls. It lives on the bootstrap
 * class path (the agent appends a jar holding only this class), refers to JDK types only, and does
 * nothing until the agent sets its hooks. Every entry point first reads one volatile flag, so a JVM
 * with the agent installed and no rule active pays one volatile read per hooked read, write, accept
 * and lookup; connects always reach the connect hook, which remembers them for rules made later.
 *
 * <p>Not API. Loaded by any other class loader than the bootstrap loader, it refuses to be used:
 * the agent checks {@code NetFaultHooks.class.getClassLoader() == null} before setting hooks.
 */
public final class NetFaultHooks {

    /** Some connect, accept or name-resolution rule is active. */
    public static volatile boolean active;
    /** Some established connection has an I/O fault armed. */
    public static volatile boolean ioActive;
    /**
     * The agent is installed: every connect is reported to {@link #connectHook}, even with no rule
     * active, so that rules made later reach connections opened before them.
     */
    public static volatile boolean recording;
    /** Socket leak tracking is on. */
    public static volatile boolean tracking;

    /** (fd, InetAddress, Integer port) to null (pass), an InetSocketAddress (go there instead) or an IOException (throw it). */
    public static volatile Function<Object[], Object> connectHook;
    /** Told each connect call that returned without an exception (connected, or in progress for a non-blocking one). */
    public static volatile Consumer<FileDescriptor> connectedHook;
    /** (fd, Boolean write, Boolean afterRead) to null (pass) or the IOException to throw. */
    public static volatile Function<Object[], IOException> ioHook;
    /** The listening port to null (pass) or the IOException accept throws. */
    public static volatile IntFunction<IOException> acceptHook;
    /** The host name to null (pass), the UnknownHostException to throw, or the InetAddress[] to answer. */
    public static volatile Function<String, Object> resolveHook;
    /** Receives each socket or channel opened while tracking is on. */
    public static volatile Consumer<Object> openedHook;
    /** Some Netty native socket is remembered by the agent (its connect was seen while a rule was active). */
    public static volatile boolean nettySockets;
    /**
     * Netty's native transports and DNS resolver, any copy of Netty (shaded or not): (event, arguments) to the
     * event's answer. Events: "connect" (socket, requested SocketAddress) to null or the SocketAddress to connect
     * to; "io" (socket, method name, Boolean afterward) to null or the IOException to throw; "remote" (socket) to null or the
     * address the application asked for (a redirected socket); "closed" (socket);
     * "resolve" (resolver, host, promise, method name) to null (resolve as usual) or Boolean.TRUE (the promise
     * was completed).
     */
    public static volatile BiFunction<String, Object[], Object> nettyHook;

    private NetFaultHooks() {
    }

    public static Object connect(FileDescriptor fd, InetAddress address, int port) {
        Function<Object[], Object> hook = connectHook;
        return hook == null ? null : hook.apply(new Object[] {fd, address, port});
    }

    public static void connected(FileDescriptor fd) {
        Consumer<FileDescriptor> hook = connectedHook;
        if (hook != null) {
            hook.accept(fd);
        }
    }

    public static IOException io(FileDescriptor fd, boolean write, boolean afterRead) {
        Function<Object[], IOException> hook = ioHook;
        return hook == null ? null : hook.apply(new Object[] {fd, write, afterRead});
    }

    public static IOException accept(int localPort) {
        IntFunction<IOException> hook = acceptHook;
        return hook == null ? null : hook.apply(localPort);
    }

    /** {@return null (resolve as usual), an UnknownHostException to throw, or the InetAddress[] to answer} */
    public static Object resolve(String host) {
        Function<String, Object> hook = resolveHook;
        return hook == null ? null : hook.apply(host);
    }

    public static Object netty(String event, Object[] arguments) {
        BiFunction<String, Object[], Object> hook = nettyHook;
        return hook == null ? null : hook.apply(event, arguments);
    }

    public static void opened(Object socket) {
        Consumer<Object> hook = openedHook;
        if (hook != null) {
            hook.accept(socket);
        }
    }
}
