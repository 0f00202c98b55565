package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.JournalEvent;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("faults changed while a test runs")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChangingFaultsTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    private static void assertEchoes(Socket socket) throws IOException {
        socket.getOutputStream().write("ping".getBytes(US_ASCII));
        assertThat(new String(socket.getInputStream().readNBytes(4), US_ASCII)).isEqualTo("ping");
    }

    /** {@return whether a fresh connection gets its echo} */
    private static boolean answers(InetSocketAddress address) {
        try (Socket socket = connect(address)) {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            return new String(socket.getInputStream().readNBytes(4), US_ASCII).equals("ping");
        } catch (IOException e) {
            return false;
        }
    }

    @Nested
    @DisplayName("addFault and clearFaults")
    class AddAndClear {

        @Test
        void anAddedFaultAppliesToConnectionsAcceptedAfterwardsOnly() throws IOException {
            FaultListener listener = owned.echo();
            try (Socket before = connect(listener.address())) {
                assertEchoes(before);
                listener.addFault(Fault.reset());
                try (Socket after = connect(listener.address())) {
                    assertThatThrownBy(() -> assertEchoes(after)).isInstanceOf(SocketException.class)
                            .hasMessageStartingWith("Connection reset");
                }
                assertEchoes(before);
            }
            assertThat(listener.faults()).containsExactly(Fault.reset());
        }

        @Test
        void clearingTheFaultsHealsNewConnections() throws IOException {
            FaultListener listener = owned.echo(Fault.reset());
            try (Socket broken = connect(listener.address())) {
                assertThatThrownBy(broken.getInputStream()::read).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            listener.clearFaults();
            try (Socket healed = connect(listener.address())) {
                assertEchoes(healed);
            }
            assertThat(listener.faults()).isEmpty();
        }
    }

    @Nested
    @DisplayName("resetOpenConnections (break now)")
    class ResetOpenConnections {

        @Test
        void aClientBlockedInReadGetsConnectionResetAndTheNextConnectionIsServed() throws Exception {
            FaultListener listener = owned.inFrontOf(RecordingServer.reading());
            try (Socket socket = connect(listener.address())) {
                CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> Sockets.readUntilEnd(socket).end());
                await().atMost(PATIENCE).until(() -> listener.journal().connection(1).flatMap(c -> c.upstreamConnected()).isPresent());
                listener.resetOpenConnections();
                assertThat(read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("SocketException: Connection reset");
            }
            assertThat(listener.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.RST);
            try (Socket next = connect(listener.address())) {
                next.setSoTimeout(300);
                // served: the upstream reads and never answers, so the read times out rather than fails
                assertThatThrownBy(next.getInputStream()::read).hasMessage("Read timed out");
            }
        }
    }

    @Nested
    @DisplayName("down, up and downFor (the listener's port refuses)")
    class DownAndUp {

        @Test
        void downRefusesNewConnectionsAndUpHealsOnTheSamePort() throws IOException {
            FaultListener listener = owned.echo();
            int port = listener.port();
            listener.down();
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(listener.address(), 2_000))
                        .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            }
            listener.up();
            assertThat(listener.port()).isEqualTo(port);
            try (Socket socket = connect(listener.address())) {
                assertEchoes(socket);
            }
            assertThat(listener.journal().events()).extracting(JournalEvent::type)
                    .containsSubsequence(JournalEvent.Type.LISTENER_DOWN, JournalEvent.Type.LISTENER_UP);
        }

        @Test
        void anOpenConnectionOutlivesTheDown() throws IOException {
            FaultListener listener = owned.echo();
            try (Socket open = connect(listener.address())) {
                listener.down();
                assertEchoes(open);
            }
        }

        @Test
        void downForBreaksNowAndHealsAfterTwoSeconds() {
            FaultListener listener = owned.echo();
            long start = System.nanoTime();
            listener.downFor(Duration.ofSeconds(2));
            assertThat(answers(listener.address())).as("answered at once").isFalse();

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> answers(listener.address()));
            assertThat(Sockets.millisSince(start)).isBetween(2_000L, 10_000L);
        }
    }
}
