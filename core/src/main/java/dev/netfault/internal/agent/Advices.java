package dev.netfault.internal.agent;

import dev.netfault.internal.boot.NetFaultHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import net.bytebuddy.asm.Advice;

/**
 * The advice netfault inlines into JDK classes. Each piece reads one volatile flag and otherwise
 * calls {@link NetFaultHooks}, which is on the bootstrap class path; nothing here may refer to
 * any other netfault class, since this code runs inside {@code java.base}.
 */
final class Advices {

    private Advices() {
    }

    /** {@code sun.nio.ch.Net.connect(ProtocolFamily, FileDescriptor, InetAddress, int)}: every TCP connect of the JDK. */
    static final class Connect {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) FileDescriptor fd,
                @Advice.Argument(value = 2, readOnly = false) InetAddress remote,
                @Advice.Argument(value = 3, readOnly = false) int port) throws IOException {
            if (NetFaultHooks.recording) {
                Object decision = NetFaultHooks.connect(fd, remote, port);
                if (decision instanceof InetSocketAddress) {
                    remote = ((InetSocketAddress) decision).getAddress();
                    port = ((InetSocketAddress) decision).getPort();
                } else if (decision instanceof IOException) {
                    throw (IOException) decision;
                }
            }
        }

        @Advice.OnMethodExit(onThrowable = IOException.class)
        static void exit(@Advice.Argument(1) FileDescriptor fd, @Advice.Thrown Throwable thrown) {
            if (thrown == null && NetFaultHooks.recording) {
                NetFaultHooks.connected(fd);
            }
        }
    }

    /** {@code sun.nio.ch.SocketDispatcher.read/readv}: every socket read of the JDK, by file descriptor. */
    static final class Read {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) FileDescriptor fd) throws IOException {
            if (NetFaultHooks.ioActive) {
                IOException failure = NetFaultHooks.io(fd, false, false);
                if (failure != null) {
                    throw failure;
                }
            }
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) FileDescriptor fd) throws IOException {
            // A read blocked when the fault fired: the fault shut the socket down to wake it.
            if (NetFaultHooks.ioActive) {
                IOException failure = NetFaultHooks.io(fd, false, true);
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    /** {@code sun.nio.ch.SocketDispatcher.write/writev}: every socket write of the JDK, by file descriptor. */
    static final class Write {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) FileDescriptor fd) throws IOException {
            if (NetFaultHooks.ioActive) {
                IOException failure = NetFaultHooks.io(fd, true, false);
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    /** {@code sun.nio.ch.NioSocketImpl.accept(SocketImpl)}: {@code ServerSocket.accept()}. */
    static final class SocketImplAccept {
        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("localport") int localPort) throws IOException {
            if (NetFaultHooks.active) {
                IOException failure = NetFaultHooks.accept(localPort);
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    /** {@code sun.nio.ch.ServerSocketChannelImpl.implAccept(...)}: channel accepts, timed or not. */
    static final class ChannelAccept {
        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("localAddress") SocketAddress local) throws IOException {
            if (NetFaultHooks.active && local instanceof InetSocketAddress) {
                IOException failure = NetFaultHooks.accept(((InetSocketAddress) local).getPort());
                if (failure != null) {
                    throw failure;
                }
            }
        }
    }

    /**
     * {@code java.net.InetAddress.getAllByName(String)}: name resolution ({@code getByName} goes
     * through it). A rule can make it fail, or answer for a name that does not resolve (the method's
     * body is then skipped and the exit advice returns the answer).
     */
    static final class Resolve {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static InetAddress[] enter(@Advice.Argument(0) String host) throws UnknownHostException {
            if (NetFaultHooks.active && host != null) {
                Object answer = NetFaultHooks.resolve(host);
                if (answer instanceof UnknownHostException) {
                    throw (UnknownHostException) answer;
                }
                if (answer instanceof InetAddress[]) {
                    return (InetAddress[]) answer;
                }
            }
            return null;
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Enter InetAddress[] answer, @Advice.Return(readOnly = false) InetAddress[] addresses) {
            if (answer != null) {
                addresses = answer;
            }
        }
    }

    /** Constructors of sockets and channels: leak tracking. */
    static final class Opened {
        @Advice.OnMethodExit
        static void exit(@Advice.This Object socket) {
            if (NetFaultHooks.tracking) {
                NetFaultHooks.opened(socket);
            }
        }
    }
}
