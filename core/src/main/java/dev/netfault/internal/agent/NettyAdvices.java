package dev.netfault.internal.agent;

import dev.netfault.internal.boot.NetFaultHooks;
import java.io.IOException;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;

/**
 * The advice netfault inlines into Netty's native transport and DNS resolver classes, in whatever
 * copy of Netty the application has ({@code io.netty...} or a shaded {@code x.y.io.netty...}).
 * Like {@link Advices}, each piece reads one volatile flag and otherwise calls {@link NetFaultHooks}
 * (bootstrap class path). Nothing here may name a Netty type: the same advice goes into every copy,
 * and {@link NettySupport} reaches Netty by reflection, in the instrumented class's own loader.
 */
final class NettyAdvices {

    private NettyAdvices() {
    }

    /** {@code io.netty.channel.unix.Socket.connect(SocketAddress)}: every connect of Netty's native transports. */
    static final class Connect {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(value = 0, readOnly = false) SocketAddress remote)
                throws IOException {
            if (NetFaultHooks.recording) { // every connect: a rule made later reaches the connections open then
                Object decision = NetFaultHooks.netty("connect", new Object[] {socket, remote});
                if (decision instanceof SocketAddress) {
                    remote = (SocketAddress) decision;
                } else if (decision instanceof IOException) {
                    throw (IOException) decision;
                }
            }
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.This Object socket, @Advice.Thrown Throwable thrown) {
            if (thrown == null && NetFaultHooks.recording) {
                NetFaultHooks.netty("connected", new Object[] {socket});
            }
        }
    }

    /**
     * {@code io.netty.channel.unix.Socket}'s TCP fast open connect ({@code sendTo}, {@code sendToAddress}: the
     * address is argument 3, the port 4, {@code fastOpen} 5). Datagram sends ({@code fastOpen} false) pass.
     */
    static final class FastOpenConnect {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(value = 3, readOnly = false) java.net.InetAddress address,
                @Advice.Argument(value = 4, readOnly = false) int port, @Advice.Argument(5) boolean fastOpen) throws IOException {
            if (NetFaultHooks.active && fastOpen) {
                Object decision = NetFaultHooks.netty("connect", new Object[] {socket, new java.net.InetSocketAddress(address, port)});
                if (decision instanceof java.net.InetSocketAddress) {
                    address = ((java.net.InetSocketAddress) decision).getAddress();
                    port = ((java.net.InetSocketAddress) decision).getPort();
                } else if (decision instanceof IOException) {
                    throw (IOException) decision;
                }
            }
        }
    }

    /** {@code sendToAddresses(long, int, InetAddress, int, boolean)}: as {@link FastOpenConnect}, address argument 2. */
    static final class FastOpenConnectVector {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Argument(value = 2, readOnly = false) java.net.InetAddress address,
                @Advice.Argument(value = 3, readOnly = false) int port, @Advice.Argument(4) boolean fastOpen) throws IOException {
            if (NetFaultHooks.active && fastOpen) {
                Object decision = NetFaultHooks.netty("connect", new Object[] {socket, new java.net.InetSocketAddress(address, port)});
                if (decision instanceof java.net.InetSocketAddress) {
                    address = ((java.net.InetSocketAddress) decision).getAddress();
                    port = ((java.net.InetSocketAddress) decision).getPort();
                } else if (decision instanceof IOException) {
                    throw (IOException) decision;
                }
            }
        }
    }

    /**
     * Reads of a native socket ({@code recv}, {@code recvAddress}, {@code read}, {@code readAddress}, all returning
     * the count or -1 at end of stream). Before: an armed fault that fired is reported. After: a read that met the
     * fault firing meanwhile (end of stream from the shut-down socket, or an error) reports it instead.
     */
    static final class Read {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Origin("#m") String method) throws IOException {
            if (NetFaultHooks.ioActive) {
                Object failure = NetFaultHooks.netty("io", new Object[] {socket, method, Boolean.FALSE});
                if (failure instanceof IOException) {
                    throw (IOException) failure;
                }
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Origin("#m") String method, @Advice.Return int count,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (NetFaultHooks.ioActive && (count < 0 || thrown != null)) {
                Object failure = NetFaultHooks.netty("io", new Object[] {socket, method, Boolean.TRUE});
                if (failure instanceof IOException) {
                    thrown = (IOException) failure;
                }
            }
        }
    }

    /** Writes of a native socket ({@code send}, {@code sendAddress}, {@code write}, {@code writev}, {@code sendFile}, ...). */
    static final class Write {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object socket, @Advice.Origin("#m") String method) throws IOException {
            if (NetFaultHooks.ioActive) {
                Object failure = NetFaultHooks.netty("io", new Object[] {socket, method, Boolean.FALSE});
                if (failure instanceof IOException) {
                    throw (IOException) failure;
                }
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Origin("#m") String method,
                @Advice.Thrown(readOnly = false) Throwable thrown) {
            // A write that failed (Broken pipe) because the fault fired meanwhile reports the fault instead.
            if (NetFaultHooks.ioActive && thrown != null) {
                Object failure = NetFaultHooks.netty("io", new Object[] {socket, method, Boolean.TRUE});
                if (failure instanceof IOException) {
                    thrown = (IOException) failure;
                }
            }
        }
    }

    /**
     * {@code io.netty.channel.unix.Socket.remoteAddress()}: a redirected socket reports the address the application
     * asked for (Netty's channel takes its remote address from it), as a redirected JDK socket does.
     */
    static final class RemoteAddress {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object socket, @Advice.Return(readOnly = false) java.net.InetSocketAddress remote) {
            if (NetFaultHooks.nettySockets) {
                Object asked = NetFaultHooks.netty("remote", new Object[] {socket});
                if (asked instanceof java.net.InetSocketAddress) {
                    remote = (java.net.InetSocketAddress) asked;
                }
            }
        }
    }

    /** {@code io.netty.channel.uring.AbstractIoUringChannel.submitConnect(InetSocketAddress)}: io_uring's connect. */
    static final class UringConnect {
        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("socket") Object socket,
                @Advice.Argument(value = 0, readOnly = false) java.net.InetSocketAddress remote) throws IOException {
            if (NetFaultHooks.active) {
                Object decision = NetFaultHooks.netty("connect", new Object[] {socket, remote});
                if (decision instanceof java.net.InetSocketAddress) {
                    remote = (java.net.InetSocketAddress) decision;
                } else if (decision instanceof IOException) {
                    throw (IOException) decision;
                }
            }
        }
    }

    /**
     * io_uring's completions of reads and writes ({@code AbstractIoUringChannel.AbstractUringUnsafe.readComplete/
     * writeComplete(byte op, int res, int flags, ...)}): a fault that fired turns the result into {@code -ETIMEDOUT},
     * which Netty reports itself, as it would the kernel's.
     */
    static final class UringComplete {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object unsafe, @Advice.Origin("#m") String method,
                @Advice.Argument(value = 1, readOnly = false) int res) {
            if (NetFaultHooks.nettySockets) {
                Object result = NetFaultHooks.netty("uring", new Object[] {unsafe, method, res});
                if (result instanceof Integer) {
                    res = (Integer) result;
                }
            }
        }
    }

    /**
     * {@code io.netty.channel.unix.FileDescriptor.markClosed()} (which {@code close()} calls, and io_uring before its
     * asynchronous close): once it has marked the socket closed, the agent forgets it, before its number is reused.
     */
    static final class Closed {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object socket, @Advice.Return boolean markedNow) {
            if (NetFaultHooks.nettySockets && markedNow) {
                NetFaultHooks.netty("closed", new Object[] {socket});
            }
        }
    }

    /**
     * {@code io.netty.resolver.dns.DnsNameResolver.doResolve/doResolveAll(String, DnsRecord[], Promise, DnsCache)}:
     * a rule fails the lookup or answers it (stand-in addresses); the method body, and any DNS query, is then skipped.
     */
    static final class Resolve {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object resolver, @Advice.Argument(0) String host, @Advice.Argument(2) Object promise,
                @Advice.Origin("#m") String method) {
            if (NetFaultHooks.active && host != null) {
                return NetFaultHooks.netty("resolve", new Object[] {resolver, host, promise, method}) != null;
            }
            return false;
        }
    }
}
