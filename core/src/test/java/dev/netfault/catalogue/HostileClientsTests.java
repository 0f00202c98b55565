package dev.netfault.catalogue;

import static dev.netfault.catalogue.BlockingServer.Defence.READ_TIMEOUT;
import static dev.netfault.catalogue.BlockingServer.Defence.REQUEST_DEADLINE;
import static dev.netfault.catalogue.BlockingServer.Defence.WRITE_GUARD;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.netfault.HostileClients;
import dev.netfault.HostileConnection;
import dev.netfault.ServerReaction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Misbehaving clients against real servers: the JDK's {@code com.sun.net.httpserver.HttpServer}
 * (no request or write deadline by default) and a blocking accept-loop server with explicit
 * defences. Each test asserts the hostile connection's journal and the server's own view.
 */
@DisplayName("HostileClients against the application's server")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileClientsTests {

    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII);
    /** A request that never ends: no empty line. */
    private static final byte[] ENDLESS_REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\n".getBytes(US_ASCII);
    private static final Duration DEADLINE = Duration.ofMillis(500);

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    // ---- the servers and a well-behaved client ---------------------------------------------------

    /** {@return a started HttpServer with the default executor: its one dispatcher thread also reads each request} */
    private HttpServer httpServer() throws IOException {
        return httpServer(null);
    }

    private HttpServer httpServer(ExecutorService executor) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        owned.own(() -> server.stop(0));
        return server;
    }

    private static InetSocketAddress addressOf(HttpServer server) {
        return server.getAddress();
    }

    /** {@return the status of a GET through the JDK's HttpClient, as a well-behaved client} */
    private static int httpGet(InetSocketAddress address) throws IOException, InterruptedException {
        return httpGet(address, Duration.ofSeconds(5));
    }

    private static int httpGet(InetSocketAddress address, Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/"))
                .timeout(timeout).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** {@return what a well-behaved client reads from the blocking server: its whole answer} */
    private static byte[] plainGet(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(REQUEST);
            return socket.getInputStream().readAllBytes();
        }
    }

    private HostileClients against(InetSocketAddress server) {
        return owned.own(HostileClients.against(server));
    }

    // ---- the tests -------------------------------------------------------------------------------

    @Nested
    @DisplayName("reset before sending")
    class ResetBeforeSending {

        @Test
        void httpServerSurvivesAndAnswersTheNextClient() throws Exception {
            HttpServer server = httpServer();
            HostileConnection hostile = against(addressOf(server)).resetBeforeSending();

            await().atMost(Duration.ofSeconds(5)).until(hostile::connected);
            assertThat(httpGet(addressOf(server))).isEqualTo(200);
            assertThat(hostile.bytesSent()).isZero();
            assertThat(hostile.bytesReceived()).isZero();
            assertThat(hostile.reaction()).isEqualTo(ServerReaction.NOT_OBSERVED);
            assertThat(hostile.reactedAfter()).isEmpty();
            assertThat(hostile.describe())
                    .isEqualTo("#1 connect, then reset before sending: connected, sent 0 bytes, received 0 bytes, server NOT_OBSERVED");
        }

        @Test
        void theBlockingServerReadsConnectionResetAndItsAcceptLoopGoesOn() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().start());
            HostileConnection hostile = against(server.address()).resetBeforeSending();

            await().atMost(Duration.ofSeconds(5)).until(() -> server.served().size() == 1 && server.served().get(0).outcome().isPresent());
            assertThat(server.served().get(0).outcome()).contains("SocketException: Connection reset");
            assertThat(plainGet(server.address())).isEqualTo(server.answer());
            assertThat(server.acceptLoopAlive()).isTrue();
            assertThat(hostile.connected()).isTrue();
            assertThat(hostile.localAddress()).isPresent();
        }
    }

    @Nested
    @DisplayName("reset after sending part of a request")
    class ResetAfterSending {

        @Test
        void theServerReadsThePartThenConnectionResetAndSurvives() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().start());
            HostileConnection hostile = against(server.address()).resetAfterSending(REQUEST, 10);

            await().atMost(Duration.ofSeconds(5)).until(() -> server.served().size() == 1 && server.served().get(0).outcome().isPresent());
            BlockingServer.Served served = server.served().get(0);
            assertThat(served.outcome()).contains("SocketException: Connection reset");
            assertThat(served.bytesRead()).isBetween(0L, 10L);
            assertThat(plainGet(server.address())).isEqualTo(server.answer());

            assertThat(hostile.bytesSent()).isEqualTo(10);
            assertThat(hostile.bytesReceived()).isZero();
            assertThat(hostile.reaction()).isEqualTo(ServerReaction.NOT_OBSERVED);
            assertThat(hostile.behaviour()).isEqualTo("send 10 of " + REQUEST.length + " bytes, then reset");
            assertThat(hostile.describe()).isEqualTo("#1 send 10 of " + REQUEST.length
                    + " bytes, then reset: connected, sent 10 bytes, received 0 bytes, server NOT_OBSERVED");
        }

        @Test
        void httpServerSurvivesAndAnswersTheNextClient() throws Exception {
            HttpServer server = httpServer();
            HostileConnection hostile = against(addressOf(server)).resetAfterSending(REQUEST, 10);

            await().atMost(Duration.ofSeconds(5)).until(() -> hostile.bytesSent() == 10);
            assertThat(httpGet(addressOf(server))).isEqualTo(200);
            assertThat(hostile.reaction()).isEqualTo(ServerReaction.NOT_OBSERVED);
        }
    }

    @Nested
    @DisplayName("slowloris")
    class Slowloris {

        @Test
        void aServerWithARequestDeadlineClosesItOnTime() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().defence(REQUEST_DEADLINE, DEADLINE).start());
            HostileConnection loris = against(server.address()).slowloris(REQUEST, Duration.ofMillis(100));

            await().atMost(Duration.ofSeconds(5)).until(() -> loris.reaction() != ServerReaction.LEFT_OPEN);
            assertThat(loris.reaction()).isIn(ServerReaction.CLOSED, ServerReaction.RESET);
            assertThat(loris.reactedAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(DEADLINE, Duration.ofSeconds(5)));
            assertThat(loris.bytesSent()).isBetween(1L, (long) REQUEST.length - 1);
            assertThat(loris.bytesReceived()).isZero();
            assertThat(loris.describe()).matches("#1 slowloris, 1 byte every 100 ms: connected, sent \\d+ bytes, received 0 bytes, server "
                    + loris.reaction() + " after \\d+ ms");

            assertThat(server.served()).singleElement().satisfies(s -> {
                assertThat(s.outcome()).contains("SocketTimeoutException: Read timed out");
                assertThat(s.outcomeAfter()).isGreaterThanOrEqualTo(DEADLINE);
            });
            assertThat(plainGet(server.address())).isEqualTo(server.answer());
        }

        /**
         * With the default executor, HttpServer's one dispatcher thread reads each request itself:
         * a request that never ends holds it, and no other client is served.
         */
        @Test
        void httpServerWithTheDefaultExecutorLeavesItOpenAndServesNobodyElse() throws Exception {
            HttpServer server = httpServer();
            HostileConnection loris = against(addressOf(server)).slowloris(ENDLESS_REQUEST, Duration.ofMillis(10));

            await().atMost(Duration.ofSeconds(5)).until(() -> loris.bytesSent() == ENDLESS_REQUEST.length);
            assertThatThrownBy(() -> httpGet(addressOf(server), Duration.ofSeconds(1)))
                    .isExactlyInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
            assertLeftOpen(loris);
        }

        @Test
        void httpServerWithAnExecutorLeavesItOpenAndStillServesOthers() throws Exception {
            ExecutorService executor = Executors.newCachedThreadPool();
            owned.own(executor::shutdownNow);
            HttpServer server = httpServer(executor);
            HostileConnection loris = against(addressOf(server)).slowloris(ENDLESS_REQUEST, Duration.ofMillis(10));

            await().atMost(Duration.ofSeconds(5)).until(() -> loris.bytesSent() == ENDLESS_REQUEST.length);
            assertThat(httpGet(addressOf(server))).isEqualTo(200);
            assertLeftOpen(loris);
        }

        private void assertLeftOpen(HostileConnection loris) {
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> loris.reaction() == ServerReaction.LEFT_OPEN);
            assertThat(loris.reactedAfter()).isEmpty();
            assertThat(loris.bytesReceived()).isZero();
            assertThat(loris.describe()).isEqualTo("#1 slowloris, 1 byte every 10 ms: connected, sent " + ENDLESS_REQUEST.length
                    + " bytes, received 0 bytes, server LEFT_OPEN");
        }

        @Test
        void aPerReadTimeoutNeverStopsItAndTheServerAnswersIt() throws Exception {
            // Each byte comes well within the read timeout, so no read ever times out.
            BlockingServer server = owned.own(BlockingServer.builder().defence(READ_TIMEOUT, Duration.ofMillis(300)).start());
            byte[] shortRequest = "GET /\r\n\r\n".getBytes(US_ASCII);
            HostileConnection loris = against(server.address()).slowloris(shortRequest, Duration.ofMillis(60));

            await().atMost(Duration.ofSeconds(5)).until(() -> loris.reaction() == ServerReaction.CLOSED);
            assertThat(loris.bytesSent()).isEqualTo(shortRequest.length);
            assertThat(loris.bytesReceived()).isEqualTo(server.answer().length);
            assertThat(loris.reactedAfter()).hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofMillis(300)));
            assertThat(server.served()).singleElement().satisfies(s -> assertThat(s.outcome()).contains("answered"));
        }
    }

    @Nested
    @DisplayName("silent (connect and never send)")
    class Silent {

        @Test
        void aServerWithARequestDeadlineClosesItOnTime() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().defence(REQUEST_DEADLINE, DEADLINE).start());
            HostileConnection silent = against(server.address()).silent();

            await().atMost(Duration.ofSeconds(5)).until(() -> silent.reaction() != ServerReaction.LEFT_OPEN);
            assertThat(silent.reaction()).isEqualTo(ServerReaction.CLOSED);
            assertThat(silent.reactedAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(DEADLINE, Duration.ofSeconds(5)));
            assertThat(silent.bytesSent()).isZero();
            assertThat(silent.describe()).matches("#1 connect and never send: connected, sent 0 bytes, received 0 bytes, server CLOSED after \\d+ ms");
            assertThat(server.served()).singleElement().satisfies(s -> assertThat(s.outcome()).contains("SocketTimeoutException: Read timed out"));
        }

        @Test
        void httpServerWithoutADeadlineLeavesItOpen() throws Exception {
            HttpServer server = httpServer();
            HostileConnection silent = against(addressOf(server)).silent();

            await().atMost(Duration.ofSeconds(5)).until(silent::connected);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> silent.reaction() == ServerReaction.LEFT_OPEN);
            assertThat(httpGet(addressOf(server))).isEqualTo(200);
            assertThat(silent.reactedAfter()).isEmpty();
            assertThat(silent.describe()).isEqualTo("#1 connect and never send: connected, sent 0 bytes, received 0 bytes, server LEFT_OPEN");
        }
    }

    @Nested
    @DisplayName("never reading the answer")
    class NeverReading {

        /** Far more than the socket buffers of both sides hold. */
        private static final int BIG = 32 * 1024 * 1024;

        @Test
        void aServerWithAWriteGuardDropsItOnceItsWriteStalls() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().bodySize(BIG).defence(WRITE_GUARD, DEADLINE).start());
            HostileConnection reader = against(server.address()).neverReading(REQUEST);

            await().atMost(Duration.ofSeconds(10)).until(() -> server.served().size() == 1 && server.served().get(0).outcome().isPresent());
            BlockingServer.Served served = server.served().get(0);
            assertThat(served.outcome()).contains("dropped: the write stalled");
            assertThat(served.bytesWritten()).isGreaterThan(0).isLessThan(BIG);
            assertThat(plainGet(server.address())).hasSize(server.answer().length);

            assertThat(reader.bytesSent()).isEqualTo(REQUEST.length);
            assertThat(reader.bytesReceived()).isZero();
            assertThat(reader.reaction()).isEqualTo(ServerReaction.NOT_OBSERVED);
            assertThat(reader.reactedAfter()).isEmpty();
            assertThat(reader.describe()).isEqualTo("#1 send " + REQUEST.length + " bytes, never read: connected, sent " + REQUEST.length
                    + " bytes, received 0 bytes, server NOT_OBSERVED");
        }

        @Test
        void aServerWithoutAGuardStaysBlockedInItsWrite() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().bodySize(BIG).start());
            HostileConnection reader = against(server.address()).neverReading(REQUEST);

            await().atMost(Duration.ofSeconds(5)).until(() -> server.served().size() == 1 && server.served().get(0).bytesWritten() > 0);
            BlockingServer.Served served = server.served().get(0);
            AtomicInteger unchanged = new AtomicInteger();
            long[] last = {-1};
            // The bytes written stop growing: the client's window is zero and the server's buffer full.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long now = served.bytesWritten();
                unchanged.set(now == last[0] ? unchanged.get() + 1 : 0);
                last[0] = now;
                return unchanged.get() >= 5;
            });
            assertThat(served.outcome()).isEmpty();
            assertThat(served.bytesWritten()).isLessThan(BIG);
            assertThat(reader.reaction()).isEqualTo(ServerReaction.NOT_OBSERVED);
        }
    }

    @Nested
    @DisplayName("flood")
    class Flood {

        @Test
        void connectsBeyondTheAcceptQueueDoNotCompleteAndTheServerAnswersOnceItDrains() throws Exception {
            BlockingServer server = owned.own(BlockingServer.builder().backlog(1).defence(REQUEST_DEADLINE, DEADLINE).notAcceptingYet().start());
            HostileClients clients = against(server.address());
            List<HostileConnection> flood = clients.flood(10);

            await().atMost(Duration.ofSeconds(5)).until(() -> flood.stream().filter(HostileConnection::connected).count() >= 2);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> flood.stream().filter(HostileConnection::connected).count() < flood.size());
            List<HostileConnection> waiting = flood.stream().filter(c -> !c.connected()).toList();
            assertThat(waiting).isNotEmpty().allSatisfy(c -> {
                assertThat(c.reaction()).isEqualTo(ServerReaction.NOT_CONNECTED);
                assertThat(c.localAddress()).isEmpty();
                assertThat(c.describe()).isEqualTo("#" + c.id() + " flood: connect and never send: not connected, sent 0 bytes, received 0 bytes,"
                        + " server NOT_CONNECTED");
            });
            assertThat(clients.connections()).hasSize(10);
            assertThat(clients.describe()).startsWith("hostile clients against " + server.address().getHostString() + ":" + server.address().getPort()
                    + "\n  #1 flood: connect and never send: ");

            server.startAccepting();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> plainGet(server.address()).length == server.answer().length);
            assertThat(server.acceptLoopAlive()).isTrue();
        }
    }

    @Test
    void refusesAServerThatIsNotOnLoopback() {
        assertThatThrownBy(() -> HostileClients.against(new InetSocketAddress("192.0.2.1", 80)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hostile clients connect to loopback servers only");
    }
}
