package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.internal.boot.NetFaultHooks;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Established connections dying with ETIMEDOUT, as DESIGN.md's table says each API reports it. */
@DisplayName("SocketAgent.timeOutConnections")
class TimeOutConnectionsTests {

    private static final Duration AFTER = Duration.ofMillis(300);

    private EchoServer real;

    @BeforeEach
    void startTheRealServer() {
        real = EchoServer.start();
    }

    @AfterEach
    void stopIt() throws IOException {
        real.close();
    }

    private AgentRule timeOut(Duration after) {
        return SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), after);
    }

    @Nested
    @DisplayName("Socket: SocketException: Connection timed out, then read -1 and write Broken pipe")
    class OnASocket {

        @Test
        void aReadBlockedWhenTheTimeoutFiresFailsPromptly() throws Exception {
            long start = System.nanoTime();
            try (AgentRule rule = timeOut(AFTER);
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "alive")).isEqualTo("alive");
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
                Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
                assertThat(failedAfter).isGreaterThanOrEqualTo(AFTER).isLessThan(Duration.ofSeconds(5));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
                assertThatThrownBy(() -> socket.getOutputStream().write(1))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Broken pipe");
                assertThat(socket.isClosed()).isFalse();
                assertThat(socket.getRemoteSocketAddress()).hasToString("localhost/127.0.0.1:" + real.port());
            }
            assertThat(real.acceptedFrom()).as("the connection was not redirected").hasSize(1);
        }

        @Test
        void aWriteAfterTheTimeoutFails() throws Exception {
            try (AgentRule rule = timeOut(Duration.ZERO);
                 Socket socket = new Socket("localhost", real.port())) {
                assertThatThrownBy(() -> socket.getOutputStream().write(1))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
                assertThatThrownBy(() -> socket.getOutputStream().write(1))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Broken pipe");
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }

        @Test
        void aReadStartedAfterTheTimeoutFails() throws Exception {
            try (AgentRule rule = timeOut(Duration.ZERO);
                 Socket socket = new Socket("localhost", real.port())) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }

        @Test
        void aWriteOnAnIdleConnectionFailsOnceTheTimeoutFired() throws Exception {
            try (AgentRule rule = timeOut(AFTER);
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "alive")).isEqualTo("alive");
                // The fault shuts the connection down when it fires: the real server sees its end.
                await().atMost(Duration.ofSeconds(5)).until(() -> real.finished() == 1);
                assertThatThrownBy(() -> socket.getOutputStream().write("late".getBytes()))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
            }
        }
    }

    @Nested
    @DisplayName("SocketChannel: IOException: Connection timed out, then read -1 and write Broken pipe")
    class OnASocketChannel {

        @Test
        void aBlockingReadBlockedWhenTheTimeoutFiresFailsPromptly() throws Exception {
            long start = System.nanoTime();
            try (AgentRule rule = timeOut(AFTER);
                 SocketChannel channel = SocketChannel.open(real.address())) {
                assertThat(Io.roundTrip(channel, "alive")).isEqualTo("alive");
                assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(16)))
                        .isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(AFTER).isLessThan(Duration.ofSeconds(5));
                assertThat(channel.read(ByteBuffer.allocate(16))).isEqualTo(-1);
                assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {1})))
                        .isExactlyInstanceOf(IOException.class).hasMessage("Broken pipe");
                assertThat(channel.isOpen()).isTrue();
            }
        }

        @Test
        void aWriteAfterTheTimeoutFails() throws Exception {
            try (AgentRule rule = timeOut(Duration.ZERO);
                 SocketChannel channel = SocketChannel.open(real.address())) {
                assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {1})))
                        .isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {1})))
                        .isExactlyInstanceOf(IOException.class).hasMessage("Broken pipe");
                assertThat(channel.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            }
        }

        @Test
        void aNonBlockingChannelIsWokenByTheTimeoutAndItsReadFails() throws Exception {
            long start = System.nanoTime();
            try (AgentRule rule = timeOut(AFTER);
                 SocketChannel channel = Io.connectNonBlocking(real.address(), Duration.ofSeconds(5));
                 Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_READ);
                assertThat(selector.select(5000)).as("channels ready within 5 s").isEqualTo(1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(AFTER).isLessThan(Duration.ofSeconds(5));
                assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(16)))
                        .isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                assertThat(channel.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            }
        }
    }

    @Nested
    @DisplayName("scoping")
    class Scoping {

        @Test
        void connectionsToAnotherTargetLiveOn() throws Exception {
            try (EchoServer other = EchoServer.start();
                 AgentRule rule = timeOut(Duration.ZERO);
                 Socket socket = new Socket("localhost", other.port())) {
                assertThat(Io.roundTrip(socket, "alive")).isEqualTo("alive");
                assertThat(NetFaultHooks.ioActive).as("no I/O fault armed").isFalse();
            }
        }

        @Test
        void closingTheRuleDisarmsItsOpenConnections() throws Exception {
            Duration after = Duration.ofMillis(200);
            try (Socket socket = armedThenDisarmed(after)) {
                assertThat(NetFaultHooks.ioActive).as("an I/O fault still armed").isFalse();
                await().pollDelay(after.multipliedBy(2)).atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(Io.roundTrip(socket, "still alive")).isEqualTo("still alive"));
                assertThat(real.finished()).isZero();
            }
        }

        private Socket armedThenDisarmed(Duration after) throws IOException {
            try (AgentRule rule = timeOut(after)) {
                Socket socket = new Socket("localhost", real.port());
                assertThat(NetFaultHooks.ioActive).as("an I/O fault armed").isTrue();
                assertThat(rule.describe()).isEqualTo("time out connections to localhost:" + real.port() + " after 200 ms");
                return socket;
            }
        }
    }

    @Test
    void rejectsANegativeDelay() {
        assertThatThrownBy(() -> SocketAgent.timeOutConnections(Target.port(1), Duration.ofMillis(-1)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("a time-out delay must not be negative, but was -1 ms");
    }
}
