package dev.netfault.junit.catalogue;

import static dev.netfault.testsupport.Waiting.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.Requests;
import dev.netfault.internal.Selections;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import dev.netfault.testsupport.Waiting;

/**
 * The request and idle attributes of the fault annotations ({@code firstRequests}, {@code request},
 * {@code everyNthRequest}, {@code requestProbability}, {@code requestOnConnection},
 * {@code afterResponseBytes}, {@code afterResponseEnd}, {@code afterIdle}, {@code idleBeforeRequest})
 * on a proxy listener, a stand-alone listener and transparently at a target. Raw sockets against an
 * echo server take turns: each "ping" is one request, its echo one response.
 */
@DisplayName("faults per request and idle connections, by annotation")
class RequestAnnotationsTests {

    /** The pause of an idle client (a pooled connection waiting): nothing moves through the listener for that long. */
    static void idle(FaultListener listener, Duration pause) {
        Waiting.quietFor(pause, listener.journal()::totalBytes);
    }

    /** Sends one request; {@return its echo, what came of it before the end ("pi", "EOF"), or "reset"} */
    static String ask(Socket socket) {
        try {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(4);
            return answer.length == 0 ? "EOF" : new String(answer, US_ASCII);
        } catch (SocketException e) {
            return e.getMessage().startsWith("Connection reset") ? "reset" : e.getMessage();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** {@return the fate of {@code requests} requests sent one after the other on one connection} */
    static List<String> askOn(Socket socket, int requests) {
        List<String> fates = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            fates.add(ask(socket));
        }
        return fates;
    }

    /** {@return the fates of requests on new connections, {@code perConnection} each} */
    static List<List<String>> askOnConnections(FaultListener listener, int connections, int perConnection) throws IOException {
        List<List<String>> fates = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try (Socket socket = Sockets.connect(listener.address())) {
                fates.add(askOn(socket, perConnection));
            }
        }
        return fates;
    }

    @Nested
    @DisplayName("on a listener in front of a server")
    class InFrontOfAServer {

        private RecordingServer peer;

        @BeforeEach
        void start(FaultListener listener) {
            peer = RecordingServer.echo();
            listener.proxyTo(peer.address());
        }

        @AfterEach
        void stop() {
            peer.close();
        }

        @Test
        @Reset(firstRequests = 2)
        void firstRequestsFailsTwoRequestsThenServesTheRest(FaultListener listener) throws IOException {
            assertThat(askOnConnections(listener, 3, 1)).containsExactly(List.of("reset"), List.of("reset"), List.of("ping"));
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(askOn(socket, 2)).containsExactly("ping", "ping");
            }
        }

        @Test
        @Close(nthRequest = 2)
        void requestClosesTheConnectionAsTheNthRequestStartsAndTheServerNeverSeesIt(FaultListener listener, Journal journal)
                throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(askOn(socket, 2)).containsExactly("ping", "EOF");
            }
            assertThat(journal.request(2)).hasValueSatisfying(e -> assertThat(e.fired(Effect.Close.class)).isTrue());
            assertThat(peer.connection(0).receivedUntilEnd()).as("what the server got: request 1 only").isEqualTo("ping".getBytes(US_ASCII));
        }

        @Test
        @Reset(everyNthRequest = 3)
        void everyNthRequestCountsAcrossConnections(FaultListener listener) throws IOException {
            assertThat(askOnConnections(listener, 2, 3)).containsExactly(List.of("ping", "ping", "reset"), List.of("ping", "ping", "reset"));
        }

        @Test
        @Reset(nthRequestOnConnection = 2)
        void requestOnConnectionHitsTheFirstReuseOfEachConnection(FaultListener listener) throws IOException {
            assertThat(askOnConnections(listener, 2, 2)).containsExactly(List.of("ping", "reset"), List.of("ping", "reset"));
        }

        @Test
        @Reset(nthConnection = 2, nthRequestOnConnection = 2)
        void aConnectionSelectionNarrowsARequestSelection(FaultListener listener) throws IOException {
            assertThat(askOnConnections(listener, 2, 2)).containsExactly(List.of("ping", "ping"), List.of("ping", "reset"));
        }

        @Test
        @Close(nthRequest = 2, afterResponseBytes = 2)
        void afterResponseBytesCutsTheSelectedResponseAtTheOffset(FaultListener listener) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(askOn(socket, 2)).containsExactly("ping", "pi");
            }
        }

        @Test
        @Reset(afterResponseBytes = 0)
        void afterResponseBytesWithoutASelectionFiresOnTheFirstResponse(FaultListener listener) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(ask(socket)).isEqualTo("reset");
            }
        }

        @Test
        @Reset(nthRequest = 1, afterResponseEnd = true)
        void afterResponseEndLosesTheNextRequest(FaultListener listener, Journal journal) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(askOn(socket, 2)).containsExactly("ping", "reset");
            }
            assertThat(journal.connection(1).orElseThrow().fired(Effect.Reset.class)).isTrue();
            assertThat(peer.connection(0).receivedUntilEnd()).as("what the server got: request 1 only").isEqualTo("ping".getBytes(US_ASCII));
        }

        @Test
        @Close(afterIdle = 300)
        void afterIdleClosesAnIdleConnectionLikeAKeepAliveTimeout(FaultListener listener, Journal journal) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(ask(socket)).isEqualTo("ping");
                await().until(() -> journal.connection(1).orElseThrow().fired(Effect.Close.class));
                assertThat(socket.getInputStream().read()).as("the client finds the end of the stream").isEqualTo(-1);
            }
        }

        @Test
        @Close(idleBeforeRequest = 300)
        void idleBeforeRequestIsTheStaleKeepAliveRaceWithAFin(FaultListener listener, Journal journal) throws Exception {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(askOn(socket, 2)).as("at once: not idle").containsExactly("ping", "ping");
                idle(listener, Duration.ofMillis(500));
                assertThat(ask(socket)).as("after the pause: lost in flight").isEqualTo("EOF");
            }
            assertThat(journal.request(3)).hasValueSatisfying(e -> assertThat(e.fired(Effect.Close.class)).isTrue());
            assertThat(journal.connection(1).orElseThrow().bytesToClient()).as("the server answered two requests").isEqualTo(8);
        }

        @Test
        @Reset(idleBeforeRequest = 300)
        void idleBeforeRequestWithAResetReadsConnectionReset(FaultListener listener) throws Exception {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(ask(socket)).isEqualTo("ping");
                idle(listener, Duration.ofMillis(500));
                assertThat(ask(socket)).isEqualTo("reset");
            }
        }

        @Test
        @Latency(value = 400, nthRequest = 2, direction = Direction.TO_CLIENT)
        void aLastingEffectStartsAtTheSelectedRequest(FaultListener listener) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                long start = System.nanoTime();
                assertThat(ask(socket)).isEqualTo("ping");
                long first = (System.nanoTime() - start) / 1_000_000;
                start = System.nanoTime();
                assertThat(ask(socket)).isEqualTo("ping");
                long second = (System.nanoTime() - start) / 1_000_000;
                assertThat(second).as("request 2, late").isBetween(400L, Sockets.PATIENCE.toMillis());
                assertThat(first).as("request 1, before the latency started").isLessThan(second);
            }
        }
    }

    @Nested
    @DisplayName("transparently at a target, through the socket agent")
    class AtATarget {

        private RecordingServer peer;

        @BeforeEach
        void start() {
            peer = RecordingServer.echo();
        }

        @AfterEach
        void stop() {
            peer.close();
        }

        /** A socket as the application opens it: to its real server's host name and port. */
        private Socket connectAsTheApplicationDoes() throws IOException {
            Socket socket = new Socket("localhost", peer.port());
            socket.setSoTimeout((int) Sockets.PATIENCE.toMillis());
            return socket;
        }

        @Test
        @Reset(firstRequests = 2)
        void firstRequestsFailsTwoThenServes(NetFault netfault, Journal journal) throws IOException {
            netfault.aimAt("localhost:" + peer.port());
            List<String> fates = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (Socket socket = connectAsTheApplicationDoes()) {
                    fates.add(ask(socket));
                }
            }
            assertThat(fates).containsExactly("reset", "reset", "ping");
            assertThat(journal.exchanges()).hasSize(3);
        }

        @Test
        @Close(idleBeforeRequest = 300)
        void idleBeforeRequestLosesTheRequestOnTheRealConnection(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("localhost:" + peer.port());
            try (Socket socket = connectAsTheApplicationDoes()) {
                assertThat(ask(socket)).isEqualTo("ping");
                Waiting.quietFor(Duration.ofMillis(500), journal::totalBytes);
                assertThat(ask(socket)).isEqualTo("EOF");
                assertThat(socket.getPort()).isEqualTo(peer.port());
            }
        }
    }

    @Nested
    @DisplayName("on a stand-alone listener, which never answers: each connection carries one request")
    class StandAlone {

        @Test
        @Reset(nthRequest = 2)
        void requestCountsTheRequestsOfAllConnections(FaultListener listener, Journal journal) throws IOException {
            try (Socket first = Sockets.connect(listener.address()); Socket second = Sockets.connect(listener.address())) {
                first.getOutputStream().write("one".getBytes(US_ASCII));
                await().until(() -> journal.exchanges().size() == 1);
                assertThat(ask(second)).isEqualTo("reset");
                assertThat(journal.connection(1).orElseThrow().faults()).isEmpty();
            }
        }

        @Test
        @Close(firstRequests = 1)
        void firstRequestsClosesTheFirst(FaultListener listener) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(ask(socket)).isEqualTo("EOF");
            }
        }
    }

    @Nested
    @DisplayName("faults in code")
    class InCode {

        private RecordingServer peer;

        @AfterEach
        void stop() {
            if (peer != null) {
                peer.close();
            }
        }

        @Test
        @Reset(nthConnection = 99)
        void addFaultTakesTheCoreRequestFaults(FaultListener listener) throws IOException {
            peer = RecordingServer.echo();
            listener.proxyTo(peer.address());
            listener.addFault(Fault.reset().onRequest(Requests.first(1)));
            assertThat(askOnConnections(listener, 2, 1)).containsExactly(List.of("reset"), List.of("ping"));
        }

        @Test
        @dev.netfault.junit.EnableNetFault
        void netFaultStartTakesTheRaceAndRemovesTheListenerAfterTheTest(NetFault netfault) throws Exception {
            peer = RecordingServer.echo();
            FaultListener listener = netfault.start(FaultListener.inFrontOf(peer.address())
                    .fault(Fault.close().onRequestAfterIdle(Duration.ofMillis(300))));
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(ask(socket)).isEqualTo("ping");
                idle(listener, Duration.ofMillis(500));
                assertThat(ask(socket)).isEqualTo("EOF");
            }
        }
    }

    @Nested
    @DisplayName("with a request probability, from the test's seed")
    class WithAProbability {

        @Test
        void theSameSeedSelectsTheSameRequestsAsCoreDoes() {
            ProbabilityFixture.RUNS.clear();
            Kit.assertAllSucceeded(Kit.runMethod(ProbabilityFixture.class, "recordsWhichRequestsWereReset",
                    NetFaultConfig.SEED_PROPERTY_NAME + "=42"), 1);
            Kit.assertAllSucceeded(Kit.runMethod(ProbabilityFixture.class, "recordsWhichRequestsWereReset",
                    NetFaultConfig.SEED_PROPERTY_NAME + "=42"), 1);
            assertThat(ProbabilityFixture.RUNS).hasSize(2);
            assertThat(ProbabilityFixture.RUNS.get(1)).isEqualTo(ProbabilityFixture.RUNS.get(0));
            assertThat(ProbabilityFixture.RUNS.get(0)).hasSizeBetween(1, ProbabilityFixture.REQUESTS - 1)
                    .isEqualTo(IntStream.rangeClosed(1, ProbabilityFixture.REQUESTS)
                            .filter(i -> Selections.matches(Requests.withProbability(0.5), i, 1, 42)).boxed().toList());
        }

        @Test
        void aFailingTestReportsTheSeedOfARequestProbability() {
            Throwable failure = Kit.failure(Kit.runMethod(ProbabilityFixture.class, "failsAfterAResponse",
                    NetFaultConfig.SEED_PROPERTY_NAME + "=7"), "failsAfterAResponse");
            assertThat(failure).hasMessage("the application gave up");
            assertThat(failure.getSuppressed()).anySatisfy(s -> assertThat(s.getMessage())
                    .startsWith("netfault: this test's faults drew from seed 7."));
        }
    }

    @Fixture
    static class ProbabilityFixture {

        static final int REQUESTS = 16;
        static final List<List<Integer>> RUNS = new CopyOnWriteArrayList<>();

        @Test
        @Reset(requestProbability = 0.5)
        void recordsWhichRequestsWereReset(FaultListener listener, Journal journal) throws IOException {
            try (RecordingServer peer = RecordingServer.echo()) {
                listener.proxyTo(peer.address());
                List<Integer> reset = new ArrayList<>();
                for (int i = 1; i <= REQUESTS; i++) {
                    try (Socket socket = Sockets.connect(listener.address())) {
                        if (ask(socket).equals("reset")) {
                            reset.add(i);
                        }
                    }
                }
                RUNS.add(reset);
            }
        }

        @Test
        @Reset(requestProbability = 1, afterResponseBytes = 2)
        void failsAfterAResponse(FaultListener listener) throws IOException {
            try (RecordingServer peer = RecordingServer.echo()) {
                listener.proxyTo(peer.address());
                try (Socket socket = Sockets.connect(listener.address())) {
                    ask(socket);
                }
            }
            org.assertj.core.api.Assertions.fail("the application gave up");
        }
    }
}
