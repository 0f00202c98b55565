package dev.netfault.junit;

import static dev.netfault.testsupport.Bytes.ascii;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.junit.LeakedServerSockets.Leak;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("@LeakedServerSockets")
class LeakedServerSocketsTests {

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    private static void passes(String method) {
        Kit.assertAllSucceeded(Kit.runMethod(LeakFixture.class, method), 1);
    }

    @Nested
    @DisplayName("(Leak.CONNECTIONS)")
    class Connections {

        @Test
        void acceptsTheConnectionAndLetsTheClientWriteButItsReadsTimeOut() {
            passes("readsTimeOut");
        }

        @Test
        void makesConnectsTimeOutOnceItLeakedOneConnection() {
            passes("connectsTimeOutAfterTheDefaultLimit");
        }

        @Test
        void makesConnectsTimeOutOnceItLeakedTheGivenNumberOfConnections() {
            passes("connectsTimeOutAfterThreeLeakedConnections");
        }
    }

    @Nested
    @DisplayName("(Leak.PORT)")
    class Port {

        @Test
        void makesEveryBindOfTheHeldPortFailWithAddressAlreadyInUse() {
            passes("bindsFailWithAddressAlreadyInUse");
        }

        @Test
        void releasesThePortAfterTheTest() throws IOException {
            passes("bindsFailWithAddressAlreadyInUse");
            try (ServerSocket server = new ServerSocket(LeakFixture.heldPort.get(), 50, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).isEqualTo(LeakFixture.heldPort.get());
            }
        }
    }

    @Test
    void leaksConnectionsAndHoldsAPortAtOnce() {
        passes("bothKindsAtOnce");
    }

    @Fixture
    static class LeakFixture {

        static final AtomicInteger heldPort = new AtomicInteger();

        @Test
        @LeakedServerSockets
        void readsTimeOut(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("hello"));
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                client.getOutputStream().write(ascii("still usable"));
            }
            await().until(() -> journal.accepted() == 1);
            ConnectionRecord connection = journal.connection(1).orElseThrow();
            assertThat(connection.leaked()).isTrue();
            assertThat(connection.bytesFromClient()).isZero();
            assertThat(connection.listenerClosure()).isEqualTo(Closure.OPEN);
        }

        @Test
        @LeakedServerSockets
        void connectsTimeOutAfterTheDefaultLimit(FaultListener server, Journal journal) throws IOException {
            try (Socket leaked = Sockets.connect(server.address()); Socket next = new Socket()) {
                awaitLeaked(journal, 1);
                Clients.assertConnectTimesOut(next, server.address());
            }
        }

        @Test
        @LeakedServerSockets(limit = 3)
        void connectsTimeOutAfterThreeLeakedConnections(FaultListener server, Journal journal) throws IOException {
            List<Socket> leaked = new ArrayList<>();
            try (Socket next = new Socket()) {
                for (int i = 0; i < 3; i++) {
                    leaked.add(Sockets.connect(server.address()));
                }
                awaitLeaked(journal, 3);
                Clients.assertConnectTimesOut(next, server.address());
            } finally {
                for (Socket socket : leaked) {
                    socket.close();
                }
            }
        }

        @Test
        @LeakedServerSockets(Leak.PORT)
        void bindsFailWithAddressAlreadyInUse(HeldPort port) throws IOException {
            heldPort.set(port.port());
            assertThat(port.isHeld()).isTrue();
            assertThat(port.address()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()));
            assertThatThrownBy(() -> new ServerSocket(port.port(), 50, InetAddress.getLoopbackAddress()).close())
                    .isInstanceOf(BindException.class).hasMessage("Address already in use");
            assertThatThrownBy(() -> new ServerSocket(port.port()).close()) // the wildcard address
                    .isInstanceOf(BindException.class).hasMessage("Address already in use");
            try (ServerSocket reusing = new ServerSocket()) {
                reusing.setReuseAddress(true);
                assertThatThrownBy(() -> reusing.bind(port.address()))
                        .isInstanceOf(BindException.class).hasMessage("Address already in use");
            }
            try (ServerSocketChannel channel = ServerSocketChannel.open()) {
                assertThatThrownBy(() -> channel.bind(port.address()))
                        .isInstanceOf(BindException.class).hasMessage("Address already in use");
            }
        }

        @Test
        @LeakedServerSockets({Leak.CONNECTIONS, Leak.PORT})
        void bothKindsAtOnce(FaultListener server, Journal journal, HeldPort port) throws IOException {
            assertThat(port.port()).isNotEqualTo(server.port());
            assertThatThrownBy(() -> new ServerSocket(port.port(), 50, InetAddress.getLoopbackAddress()).close())
                    .isInstanceOf(BindException.class).hasMessage("Address already in use");
            try (Socket leaked = Sockets.connect(server.address()); Socket next = new Socket()) {
                leaked.setSoTimeout(300);
                assertThatThrownBy(() -> leaked.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                awaitLeaked(journal, 1);
                Clients.assertConnectTimesOut(next, server.address());
            }
        }

        /** Waits until the listener leaked {@code count} connections and queued its own, so that the next connect is dropped. */
        private static void awaitLeaked(Journal journal, int count) {
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                assertThat(journal.connections()).hasSize(count).allMatch(ConnectionRecord::leaked);
                assertThat(journal.events()).extracting(JournalEvent::type).contains(JournalEvent.Type.ACCEPT_QUEUE_FILLED);
            });
        }
    }
}
