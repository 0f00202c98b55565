package dev.netfault.junit;

import static dev.netfault.testsupport.Bytes.ascii;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("@SlowAccept")
class SlowAcceptTests {

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    private static void passes(String method) {
        Kit.assertAllSucceeded(Kit.runMethod(SlowAcceptFixture.class, method), 1);
    }

    @Test
    void letsTheClientConnectAtOnceAndDelaysItsFirstResponseUntilTheAccept() {
        passes("delaysTheFirstResponse");
    }

    @Test
    void acceptsOneConnectionPerDelay() {
        passes("acceptsOneConnectionPerDelay");
    }

    @Test
    void waitsOneSecondBeforeEachAcceptByDefault() {
        passes("waitsOneSecondByDefault");
    }

    @Test
    void makesConnectsTimeOutOnceTheAcceptQueueIsFull() {
        passes("connectTimesOutOnceTheQueueIsFull");
    }

    @Test
    void queuesBacklogPlusOneConnections() {
        passes("queuesBacklogPlusOneConnections");
    }

    @Test
    void makesTheVeryFirstConnectTimeOutWithAFullQueue() {
        passes("firstConnectTimesOutWithAFullQueue");
    }

    @Test
    void letsAPatientClientInOnceSlowAcceptsFreeTheFullQueue() {
        passes("patientClientGetsInOnceAcceptsFreeTheQueue");
    }

    @Fixture
    static class SlowAcceptFixture {

        RecordingServer upstream;

        @BeforeEach
        void startAnEchoServer(FaultListener server) {
            upstream = RecordingServer.echo();
            server.proxyTo(upstream.address());
        }

        @AfterEach
        void stopTheEchoServer() {
            upstream.close();
        }

        @Test
        @SlowAccept(delay = 500)
        void delaysTheFirstResponse(FaultListener server) throws IOException {
            long start = System.nanoTime();
            try (Socket client = new Socket()) {
                client.connect(server.address(), 5_000);
                // the kernel completed the handshake: the connect did not wait for the accept
                assertThat(Clients.since(start)).isLessThan(Duration.ofMillis(500));
                client.getOutputStream().write(ascii("ping"));
                client.setSoTimeout(5_000);
                assertThat(Clients.readExactly(client, 4)).isEqualTo(ascii("ping"));
                assertThat(Clients.since(start)).isBetween(Duration.ofMillis(500), Sockets.PATIENCE);
            }
        }

        @Test
        @SlowAccept(delay = 300)
        void acceptsOneConnectionPerDelay(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket first = Sockets.connect(server.address()); Socket second = Sockets.connect(server.address())) {
                first.getOutputStream().write(ascii("one"));
                second.getOutputStream().write(ascii("two"));
                assertThat(Clients.readExactly(first, 3)).isEqualTo(ascii("one"));
                assertThat(Clients.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
                assertThat(Clients.readExactly(second, 3)).isEqualTo(ascii("two"));
                assertThat(Clients.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            }
            assertThat(journal.connections()).hasSize(2);
            Duration gap = Duration.between(journal.connection(1).orElseThrow().accepted(), journal.connection(2).orElseThrow().accepted());
            assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(290)); // journal times are wall-clock instants
        }

        @Test
        @SlowAccept
        void waitsOneSecondByDefault(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("ping"));
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                assertThat(journal.accepted()).isZero();
                client.setSoTimeout((int) Sockets.PATIENCE.toMillis());
                assertThat(Clients.readExactly(client, 4)).isEqualTo(ascii("ping"));
                assertThat(Clients.since(start)).isBetween(Duration.ofSeconds(1), Sockets.PATIENCE);
            }
            assertThat(journal.accepted()).isEqualTo(1);
        }

        @Test
        @SlowAccept(delay = 10, unit = TimeUnit.SECONDS)
        void connectTimesOutOnceTheQueueIsFull(FaultListener server, Journal journal) throws IOException {
            try (Socket first = Sockets.connect(server.address());
                    Socket second = Sockets.connect(server.address());
                    Socket third = new Socket()) {
                Clients.assertConnectTimesOut(third, server.address());
            }
            assertThat(journal.accepted()).isZero();
        }

        @Test
        @SlowAccept(neverAccept = true, backlog = 3)
        void queuesBacklogPlusOneConnections(FaultListener server) throws IOException {
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    queued.add(Sockets.connect(server.address()));
                }
                try (Socket fifth = new Socket()) {
                    Clients.assertConnectTimesOut(fifth, server.address());
                }
            } finally {
                for (Socket socket : queued) {
                    socket.close();
                }
            }
        }

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void firstConnectTimesOutWithAFullQueue(FaultListener server, Journal journal) throws IOException {
            try (Socket client = new Socket()) {
                Clients.assertConnectTimesOut(client, server.address());
            }
            assertThat(journal.events()).extracting(JournalEvent::type).contains(JournalEvent.Type.ACCEPT_QUEUE_FILLED);
            assertThat(journal.accepted()).isZero();
        }

        /**
         * The listener's own two queued connections are accepted (and dropped) 200 and 400 ms in; the
         * client's first SYN was dropped, and its retransmission (about 1 s later) gets in.
         */
        @Test
        @SlowAccept(delay = 200, fillAcceptQueue = true)
        void patientClientGetsInOnceAcceptsFreeTheQueue(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket client = new Socket()) {
                client.connect(server.address(), 5_000);
                assertThat(Clients.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
                client.getOutputStream().write(ascii("ping"));
                client.setSoTimeout(5_000);
                assertThat(Clients.readExactly(client, 4)).isEqualTo(ascii("ping"));
            }
            // the queue fillers are netfault's own: they never show up as connections. (The journal
            // counts bytes once they are written, so the client may read them a moment before.)
            await().untilAsserted(() -> assertThat(journal.connections()).singleElement()
                    .satisfies(c -> assertThat(c.bytesToClient()).isEqualTo(4)));
        }
    }
}
