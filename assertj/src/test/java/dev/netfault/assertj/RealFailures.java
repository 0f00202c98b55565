package dev.netfault.assertj;

import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.AgentRule;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Real exceptions, each caused by netfault on loopback, as an application would see them: the
 * assertions are tested on what the JDK really throws, not on hand-made exceptions.
 */
final class RealFailures {

    private RealFailures() {
    }

    /** A read from a listener that resets on accept: {@code SocketException: Connection reset}. */
    static Throwable connectionReset() {
        try (FaultListener listener = FaultListener.standalone().fault(Fault.reset()).start()) {
            return catchThrowable(() -> {
                try (Socket socket = Sockets.connect(listener.address())) {
                    socket.getInputStream().read();
                }
            });
        }
    }

    /** A read from a stalled connection with a 100 ms read timeout: {@code SocketTimeoutException: Read timed out}. */
    static Throwable readTimeout() {
        try (FaultListener listener = FaultListener.standalone().fault(Fault.stall()).start()) {
            return catchThrowable(() -> {
                try (Socket socket = Sockets.connect(listener.address())) {
                    socket.setSoTimeout(100);
                    socket.getInputStream().read();
                }
            });
        }
    }

    /** A 200 ms connect to a listener whose accept queue is full: {@code SocketTimeoutException: Connect timed out}. */
    static Throwable connectTimeout() {
        try (FaultListener listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start()) {
            return catchThrowable(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(listener.address(), 200);
                }
            });
        }
    }

    /**
     * A connect the socket agent refuses: {@code ConnectException: Connection refused}. The server is a
     * plain one: the agent leaves connections to netfault's own listeners alone.
     */
    @SuppressWarnings("try") // the agent rule acts while it is open: its body never names it
    static Throwable connectionRefused() {
        try (EchoServer server = EchoServer.start();
             AgentRule refuse = SocketAgent.refuse(Target.port(server.port()))) {
            return catchThrowable(() -> Sockets.connect(server.address()).close());
        }
    }

    /** A lookup of {@code localhost} the socket agent fails: {@code UnknownHostException}. */
    @SuppressWarnings("try") // the agent rule acts while it is open: its body never names it
    static Throwable unknownHost() {
        try (AgentRule failResolution = SocketAgent.failResolution("localhost")) {
            return catchThrowable(() -> InetAddress.getByName("localhost"));
        }
    }

    /** A read on a connection the socket agent times out after 100 ms: {@code SocketException: Connection timed out}. */
    static Throwable connectionTimedOut() {
        return timedOutConnection(false);
    }

    /** A write after that time-out: {@code SocketException: Broken pipe}. */
    static Throwable brokenPipe() {
        return timedOutConnection(true);
    }

    @SuppressWarnings("try") // the agent rule acts while it is open: its body never names it
    private static Throwable timedOutConnection(boolean writeAfterwards) {
        try (EchoServer server = EchoServer.start();
             AgentRule timeOut = SocketAgent.timeOutConnections(Target.port(server.port()), Duration.ofMillis(100));
             Socket socket = Sockets.connect(server.address())) {
            Throwable read = catchThrowable(() -> socket.getInputStream().read());
            if (!writeAfterwards) {
                return read;
            }
            return catchThrowable(() -> socket.getOutputStream().write(Bytes.data(10)));
        } catch (IOException e) {
            throw new AssertionError("could not connect", e);
        }
    }

    /** Reading 100 bytes through a listener that closes after 10: {@code EOFException}. */
    static Throwable truncated() {
        try (RecordingServer server = RecordingServer.sending(Bytes.data(100));
             FaultListener listener = FaultListener.inFrontOf(server.address())
                     .fault(Fault.close().afterBytes(Direction.TO_CLIENT, 10)).start()) {
            return catchThrowable(() -> {
                try (Socket socket = Sockets.connect(listener.address())) {
                    new DataInputStream(socket.getInputStream()).readFully(new byte[100]);
                }
            });
        }
    }
}
