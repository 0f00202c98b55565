package dev.netfault.junit;

import static dev.netfault.testsupport.Bytes.ascii;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Connections;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("@Reset")
class ResetTests {

    /** What the upstream of the relaying fixtures sends on every connection. */
    static final byte[] GREETING = Bytes.pattern(1000);

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    private static void passes(Class<?> fixture, String method) {
        Kit.assertAllSucceeded(Kit.runMethod(fixture, method), 1);
    }

    @Nested
    @DisplayName("on a stand-alone listener")
    class StandAlone {

        @Test
        void resetsEveryConnectionOnAcceptByDefault() {
            passes(StandAloneFixture.class, "resetsEveryConnectionOnAccept");
        }

        @Test
        void resetsAClientWithAConnectTimeoutInItsConnectOrItsFirstRead() {
            passes(StandAloneFixture.class, "resetsAClientWithAConnectTimeoutInItsConnectOrItsFirstRead");
        }

        @Test
        void makesTheClientsFirstWriteAfterTheResetFailWithConnectionResetByPeer() {
            passes(StandAloneFixture.class, "failsTheFirstWriteAfterTheReset");
        }

        @Test
        void resetsAfterExactlyTheGivenNumberOfBytesFromTheClient() {
            passes(StandAloneFixture.class, "resetsAfterTenBytesFromTheClient");
        }

        @Test
        void resetsTheGivenTimeAfterAccept() {
            passes(StandAloneFixture.class, "resetsThreeHundredMillisecondsAfterAccept");
        }

        @Test
        void turnsEachAttributeIntoTheMatchingFault() {
            passes(StandAloneFixture.class, "mapsAttributesToFaults");
        }

        @Test
        void relaysToTheUpstreamGivenInTheAnnotation() {
            passes(StandAloneFixture.class, "relaysToTheAnnotationsUpstream");
        }
    }

    @Nested
    @DisplayName("in front of a real upstream")
    class InFrontOfAnUpstream {

        @Test
        void sendsExactlyTheGivenNumberOfBytesToTheClientThenResets() {
            passes(RelayFixture.class, "truncatesTheResponseAfterExactly100Bytes");
        }

        @Test
        void relaysExactlyTheGivenNumberOfBytesFromTheClientThenResets() {
            passes(RelayFixture.class, "relaysExactly10BytesFromTheClientThenResets");
        }

        @Test
        void resetsOnlyTheFirstConnectionsAndNeverConnectsThemUpstream() {
            passes(RelayFixture.class, "resetsOnlyTheFirstTwoConnections");
        }

        @Test
        void resetsOnlyTheNthConnection() {
            passes(RelayFixture.class, "resetsOnlyTheSecondConnection");
        }

        @Test
        void resetsAConnectionThatWaitsForMoreAfterTheGivenTime() {
            passes(RelayFixture.class, "resetsAnIdleRelayedConnectionAfter300Milliseconds");
        }
    }

    @Fixture
    static class StandAloneFixture {

        @Test
        @Reset
        void resetsEveryConnectionOnAccept(FaultListener server, Journal journal) throws IOException {
            for (int i = 0; i < 3; i++) {
                try (Socket client = Sockets.connect(server.address())) {
                    assertThatThrownBy(() -> client.getInputStream().read())
                            .isInstanceOf(SocketException.class).hasMessage("Connection reset");
                    assertThatThrownBy(() -> client.getInputStream().read()) // sticky
                            .isInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
            await().untilAsserted(() -> assertThat(journal.connections()).hasSize(3).allSatisfy(c -> {
                assertThat(c.listenerClosure()).isEqualTo(Closure.RST);
                assertThat(c.faults()).singleElement().satisfies(f -> assertThat(f.fault()).isEqualTo(Fault.reset()));
                assertThat(c.bytesFromClient()).isZero();
            }));
        }

        /** See {@link Clients#connect}: whether the reset or the end of the connect comes first is a race. */
        @Test
        @Reset
        void resetsAClientWithAConnectTimeoutInItsConnectOrItsFirstRead(FaultListener server, Journal journal) throws IOException {
            for (int i = 0; i < 5; i++) {
                try (Socket client = new Socket()) {
                    try {
                        client.connect(server.address(), (int) Sockets.PATIENCE.toMillis());
                    } catch (SocketException resetWhileConnecting) {
                        assertThat(resetWhileConnecting).hasMessage("Connection reset by peer");
                        continue;
                    }
                    client.setSoTimeout((int) Sockets.PATIENCE.toMillis());
                    assertThatThrownBy(() -> client.getInputStream().read())
                            .isInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
            await().untilAsserted(() -> assertThat(journal.connections()).hasSize(5)
                    .allSatisfy(c -> assertThat(c.listenerClosure()).isEqualTo(Closure.RST)));
        }

        @Test
        @Reset
        void failsTheFirstWriteAfterTheReset(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                // closed: the listener has sent its RST (it records the closure just before)
                await().until(() -> journal.connection(1).flatMap(ConnectionRecord::closed).isPresent());
                OutputStream out = client.getOutputStream();
                assertThatThrownBy(() -> out.write(1)).isInstanceOf(SocketException.class).hasMessage("Connection reset by peer");
                assertThatThrownBy(() -> out.write(1)).isInstanceOf(SocketException.class).hasMessage("Broken pipe");
            }
        }

        @Test
        @Reset(afterBytesFromClient = 10)
        void resetsAfterTenBytesFromTheClient(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("0123"));
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                await().until(() -> journal.connection(1).map(ConnectionRecord::bytesFromClient).orElse(0L) == 4);

                client.getOutputStream().write(ascii("456789abcdefghij"));
                client.setSoTimeout((int) Sockets.PATIENCE.toMillis());
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            ConnectionRecord connection = journal.connection(1).orElseThrow();
            assertThat(connection.bytesFromClient()).isEqualTo(10);
            assertThat(connection.listenerClosure()).isEqualTo(Closure.RST);
            assertThat(connection.faults()).singleElement()
                    .satisfies(f -> assertThat(f.bytesFromClient()).isEqualTo(10));
        }

        @Test
        @Reset(after = 300)
        void resetsThreeHundredMillisecondsAfterAccept(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket client = Sockets.connect(server.address())) {
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessage("Connection reset");
                // the listener accepted after the connect started: the reset cannot come earlier
                assertThat(Clients.since(start)).isBetween(Duration.ofMillis(300), Sockets.PATIENCE);
            }
            await().untilAsserted(() -> assertThat(journal.connection(1).flatMap(ConnectionRecord::lifetime))
                    .hasValueSatisfying(lifetime -> assertThat(lifetime).isGreaterThanOrEqualTo(Duration.ofMillis(300))));
        }

        @Test
        @Reset(afterBytesToClient = 100, firstConnections = 2)
        @Reset(afterBytesFromClient = 7, nthConnection = 3)
        @Reset(after = 2, unit = TimeUnit.SECONDS)
        void mapsAttributesToFaults(FaultListener server) {
            assertThat(server.faults()).containsExactly(
                    Fault.reset().afterBytes(Direction.TO_CLIENT, 100).on(Connections.first(2)),
                    Fault.reset().afterBytes(Direction.FROM_CLIENT, 7).on(Connections.nth(3)),
                    Fault.reset().after(Duration.ofSeconds(2)));
            assertThat(server.upstream()).isEmpty();
            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        }

        /** Nothing listens on port 1 of the loopback address, so the relay's connect is refused, and the client reset. */
        @Test
        @Reset(afterBytesToClient = 5, upstream = "127.0.0.1:1")
        void relaysToTheAnnotationsUpstream(FaultListener server, Journal journal) throws IOException {
            assertThat(server.upstream()).contains(new InetSocketAddress("127.0.0.1", 1));
            try (Socket client = Sockets.connect(server.address())) {
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            await().untilAsserted(() -> assertThat(journal.events())
                    .anySatisfy(e -> {
                        assertThat(e.type()).isEqualTo(JournalEvent.Type.UPSTREAM_FAILED);
                        assertThat(e.detail()).isEqualTo("Connection refused");
                    }));
        }
    }

    @Fixture
    static class RelayFixture {

        RecordingServer upstream;

        @BeforeEach
        void startTheRealServer(FaultListener server) {
            upstream = RecordingServer.sending(GREETING);
            server.proxyTo(upstream.address());
        }

        @AfterEach
        void stopTheRealServer() {
            upstream.close();
        }

        @Test
        @Reset(afterBytesToClient = 100)
        void truncatesTheResponseAfterExactly100Bytes(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                Received received = Sockets.readUntilEnd(client);
                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(GREETING, 100));
                assertThat(received.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            ConnectionRecord connection = journal.connection(1).orElseThrow();
            assertThat(connection.bytesToClient()).isEqualTo(100);
            assertThat(connection.listenerClosure()).isEqualTo(Closure.RST);
            assertThat(connection.upstreamConnected()).isPresent();
        }

        @Test
        @Reset(afterBytesFromClient = 10)
        void relaysExactly10BytesFromTheClientThenResets(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("0123456789abcdefghijklmno"));
                Received received = Sockets.readUntilEnd(client);
                assertThat(received.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            await().untilAsserted(() -> assertThat(upstream.connection(0).received()).isEqualTo(ascii("0123456789")));
            assertThat(journal.connection(1).orElseThrow().bytesFromClient()).isEqualTo(10);
        }

        @Test
        @Reset(firstConnections = 2)
        void resetsOnlyTheFirstTwoConnections(FaultListener server, Journal journal) throws IOException {
            for (int i = 0; i < 2; i++) {
                try (Socket client = Sockets.connect(server.address())) {
                    Received received = Sockets.readUntilEnd(client);
                    assertThat(received.bytes()).isEmpty();
                    assertThat(received.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
            try (Socket client = Sockets.connect(server.address())) {
                assertThat(Clients.readExactly(client, GREETING.length)).isEqualTo(GREETING);
            }
            // a reset on accept fires before the relay connects upstream
            assertThat(upstream.accepted()).isEqualTo(1);
            assertThat(journal.connections()).extracting(c -> c.faults().size()).containsExactly(1, 1, 0);
        }

        @Test
        @Reset(nthConnection = 2)
        void resetsOnlyTheSecondConnection(FaultListener server, Journal journal) throws IOException {
            for (int i = 1; i <= 3; i++) {
                try (Socket client = Sockets.connect(server.address())) {
                    if (i == 2) {
                        assertThatThrownBy(() -> client.getInputStream().read())
                                .isInstanceOf(SocketException.class).hasMessage("Connection reset");
                    } else {
                        assertThat(Clients.readExactly(client, GREETING.length)).isEqualTo(GREETING);
                    }
                }
            }
            assertThat(journal.connections()).extracting(c -> c.faults().size()).containsExactly(0, 1, 0);
        }

        @Test
        @Reset(after = 300)
        void resetsAnIdleRelayedConnectionAfter300Milliseconds(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket client = Sockets.connect(server.address())) {
                Received received = Sockets.readUntilEnd(client);
                assertThat(received.bytes()).isEqualTo(GREETING);
                assertThat(received.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(Clients.since(start)).isBetween(Duration.ofMillis(300), Sockets.PATIENCE);
            }
            assertThat(journal.connection(1).orElseThrow().bytesToClient()).isEqualTo(GREETING.length);
        }
    }
}
