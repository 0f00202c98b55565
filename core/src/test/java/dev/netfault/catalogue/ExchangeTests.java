package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Effect;
import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import dev.netfault.Trigger;
import dev.netfault.internal.Selections;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Waiting;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("faults per request: exchanges, idle connections and the stale keep-alive race")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExchangeTests {

    /** Bytes of every response the line server sends. */
    private static final int RESPONSE = 100;

    private final Owned owned = new Owned();
    /** The lines the upstream received, in order: what was forwarded. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    /** An upstream that takes turns: for each line it reads it answers {@link #RESPONSE} bytes; it first sends {@code greeting} if not null. */
    private RecordingServer lineServer(String greeting) {
        return RecordingServer.start((socket, connection) -> {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (greeting != null) {
                out.write(greeting.getBytes(US_ASCII));
                out.flush();
            }
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    received.add(line.toString());
                    line.setLength(0);
                    out.write("r".repeat(RESPONSE).getBytes(US_ASCII));
                    out.flush();
                } else {
                    line.append((char) b);
                }
            }
        });
    }

    private FaultListener proxy(Fault... faults) {
        return owned.inFrontOf(lineServer(null), faults);
    }

    /** Sends {@code line} and a newline, and reads the whole response. */
    private static void ask(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(US_ASCII));
        byte[] answer = socket.getInputStream().readNBytes(RESPONSE);
        assertThat(answer).as("response to %s", line).hasSize(RESPONSE);
    }

    /** Sends {@code line} and reads what comes back until the stream ends or fails. */
    private static Sockets.Received askUntilEnd(Socket socket, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(US_ASCII));
        return Sockets.readUntilEnd(socket);
    }

    /**
     * Sends {@code line} and reads its response. {@return {@code "served"}, {@code "reset"}, or
     * {@code "EOF after N bytes"}}
     */
    private static String attempt(Socket socket, String line) throws IOException {
        try {
            socket.getOutputStream().write((line + "\n").getBytes(US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(RESPONSE);
            return answer.length == RESPONSE ? "served" : "EOF after " + answer.length + " bytes";
        } catch (SocketException e) {
            assertThat(e.getMessage()).isIn("Connection reset", "Connection reset by peer");
            return "reset";
        }
    }

    private Socket open(FaultListener listener) throws IOException {
        return owned.own(connect(listener.address()));
    }

    /** The pause of an idle client (a pooled connection waiting): nothing moves through the listener for that long. */
    private static void idle(FaultListener listener, Duration pause) {
        Waiting.quietFor(pause, listener.journal()::totalBytes);
    }

    private static void assertReset(Sockets.Received result) {
        assertThat(result.failure()).as("what the client read: %s", result.end()).isInstanceOf(SocketException.class);
        assertThat(result.failure().getMessage()).isIn("Connection reset", "Connection reset by peer");
    }

    @Nested
    @DisplayName("the journal")
    class Journal {

        @Test
        void countsRequestsPerConnectionAndAcrossTheListenerInTheOrderTheyStart() throws IOException {
            FaultListener listener = proxy();
            Socket a = open(listener);
            Socket b = open(listener);
            ask(a, "a1");
            ask(b, "b1");
            ask(a, "a2");
            ask(b, "b2");
            ask(b, "b3");
            await().until(() -> listener.journal().exchanges().stream().mapToLong(Exchange::responseBytes).sum() == 5 * RESPONSE);
            List<Exchange> exchanges = listener.journal().exchanges();
            assertThat(exchanges).extracting(Exchange::request).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(exchanges).extracting(Exchange::connection).containsExactly(1L, 2L, 1L, 2L, 2L);
            assertThat(exchanges).extracting(Exchange::index).containsExactly(1L, 1L, 2L, 2L, 3L);
            assertThat(exchanges).allSatisfy(e -> {
                assertThat(e.requestBytes()).isEqualTo(3);
                assertThat(e.responseBytes()).isEqualTo(RESPONSE);
                assertThat(e.responseStarted()).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(e.started()));
                assertThat(e.faults()).isEmpty();
                assertThat(e.greeting()).isFalse();
            });
            assertThat(exchanges).extracting(Exchange::started).isSorted();
            ConnectionRecord second = listener.journal().connection(2).orElseThrow();
            assertThat(second.requests()).extracting(Exchange::request).containsExactly(2L, 4L, 5L);
            assertThat(listener.journal().request(4)).hasValueSatisfying(e -> assertThat(e.connection()).isEqualTo(2));
        }

        @Test
        void aRequestInSeveralWritesIsOneRequest() throws IOException {
            FaultListener listener = proxy();
            Socket socket = open(listener);
            OutputStream out = socket.getOutputStream();
            out.write("par".getBytes(US_ASCII));
            out.flush();
            await().until(() -> listener.journal().exchanges().size() == 1 && listener.journal().exchanges().get(0).requestBytes() == 3);
            out.write("ts\n".getBytes(US_ASCII));
            assertThat(socket.getInputStream().readNBytes(RESPONSE)).hasSize(RESPONSE);
            await().until(() -> listener.journal().exchanges().get(0).responseBytes() == RESPONSE);
            assertThat(listener.journal().exchanges()).singleElement().satisfies(e -> assertThat(e.requestBytes()).isEqualTo(6));
            assertThat(received).containsExactly("parts");
        }

        @Test
        void pipelinedRequestsSentBeforeTheFirstAnswerAreOneRequest() throws IOException {
            FaultListener listener = proxy();
            Socket socket = open(listener);
            socket.getOutputStream().write("p1\np2\n".getBytes(US_ASCII));
            assertThat(socket.getInputStream().readNBytes(2 * RESPONSE)).hasSize(2 * RESPONSE);
            ask(socket, "p3");
            await().until(() -> listener.journal().exchanges().stream().mapToLong(Exchange::responseBytes).sum() == 3 * RESPONSE);
            assertThat(listener.journal().exchanges()).extracting(Exchange::requestBytes).containsExactly(6L, 3L);
        }

        @Test
        void aServerGreetingIsExchangeZeroNotARequest() throws IOException {
            String greeting = "220 ready\r\n";
            FaultListener listener = owned.inFrontOf(lineServer(greeting));
            Socket socket = open(listener);
            assertThat(new String(socket.getInputStream().readNBytes(greeting.length()), US_ASCII)).isEqualTo(greeting);
            ask(socket, "HELO");
            await().until(() -> listener.journal().exchanges().size() == 2 && listener.journal().exchanges().get(1).responseBytes() == RESPONSE);
            List<Exchange> exchanges = listener.journal().exchanges();
            assertThat(exchanges.get(0)).satisfies(e -> {
                assertThat(e.greeting()).isTrue();
                assertThat(e.index()).isZero();
                assertThat(e.request()).isZero();
                assertThat(e.requestBytes()).isZero();
                assertThat(e.responseBytes()).isEqualTo(greeting.length());
            });
            assertThat(exchanges.get(1)).satisfies(e -> {
                assertThat(e.index()).isEqualTo(1);
                assertThat(e.request()).isEqualTo(1);
            });
            assertThat(listener.journal().connection(1).orElseThrow().requests()).hasSize(1);
        }

        @Test
        void recordsTheFaultThatFiredInItsExchange() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            ask(socket, "one");
            assertReset(askUntilEnd(socket, "two"));
            await().until(() -> listener.journal().connection(1).orElseThrow().closed().isPresent());
            List<Exchange> exchanges = listener.journal().exchanges();
            assertThat(exchanges).hasSize(2);
            assertThat(exchanges.get(0).faults()).isEmpty();
            assertThat(exchanges.get(1)).satisfies(e -> {
                assertThat(e.fired(Effect.Reset.class)).isTrue();
                assertThat(e.requestBytes()).as("read, then swallowed").isEqualTo(4);
                assertThat(e.responseBytes()).isZero();
                assertThat(e.responseStarted()).isEmpty();
            });
            assertThat(listener.journal().events()).anySatisfy(ev -> assertThat(ev.detail()).contains("; request 2, #2 on its connection)"));
            assertThat(received).containsExactly("one");
        }
    }

    @Nested
    @DisplayName("on a request, before its first byte is forwarded")
    class OnRequest {

        @Test
        void theNthRequestIsResetAndNeverReachesTheServer() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            ask(socket, "one");
            assertReset(askUntilEnd(socket, "two"));
            assertThat(received).containsExactly("one");
            await().until(() -> listener.journal().connection(1).orElseThrow().listenerClosure() == Closure.RST);
        }

        @Test
        void theFirstTwoRequestsFailThenTheThirdIsServed() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest(Requests.first(2)));
            List<String> outcomes = new ArrayList<>();
            for (int attempt = 1; attempt <= 3; attempt++) {
                Socket socket = open(listener); // a client that retries on a new connection
                outcomes.add(attempt(socket, "attempt" + attempt));
            }
            assertThat(outcomes).containsExactly("reset", "reset", "served");
            assertThat(received).containsExactly("attempt3");
        }

        @Test
        void theFirstRequestsAreCountedAcrossConnectionsSoAReusedConnectionIsServed() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest(Requests.first(1)));
            Socket first = open(listener);
            assertReset(askUntilEnd(first, "one"));
            Socket second = open(listener);
            ask(second, "two");
            ask(second, "three");
            assertThat(received).containsExactly("two", "three");
        }

        @Test
        void everyNthRequestAcrossTheListenerIsClosedWithAFin() throws IOException {
            FaultListener listener = proxy(Fault.close().onRequest(Requests.everyNth(2)));
            List<Integer> closed = new ArrayList<>();
            Socket socket = open(listener);
            for (int request = 1; request <= 6; request++) {
                socket.getOutputStream().write(("r" + request + "\n").getBytes(US_ASCII));
                byte[] answer = socket.getInputStream().readNBytes(RESPONSE);
                if (answer.length == 0) {
                    closed.add(request); // end of stream: the FIN, before any byte of a response
                    socket = open(listener);
                } else {
                    assertThat(answer).hasSize(RESPONSE);
                }
            }
            assertThat(closed).containsExactly(2, 4, 6);
            assertThat(received).containsExactly("r1", "r3", "r5");
        }

        @Test
        void aSeededProbabilityReplaysTheSameRequests() throws IOException {
            long seed = 42;
            Requests half = Requests.withProbability(0.5);
            FaultListener listener = owned.own(FaultListener.inFrontOf(owned.own(lineServer(null)).address()).seed(seed)
                    .fault(Fault.reset().onRequest(half)).start());
            List<Integer> reset = new ArrayList<>();
            for (int request = 1; request <= 20; request++) {
                try (Socket socket = connect(listener.address())) {
                    if (attempt(socket, "r" + request).equals("reset")) {
                        reset.add(request);
                    }
                }
            }
            List<Integer> expected = IntStream.rangeClosed(1, 20).filter(i -> Selections.matches(half, i, 1, seed)).boxed().toList();
            assertThat(reset).isEqualTo(expected).isNotEmpty().hasSizeLessThan(20);
        }

        @Test
        void theNthRequestOfEachConnectionCountsOnItsOwnConnection() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest(Requests.nthOnConnection(2)));
            Socket a = open(listener);
            Socket b = open(listener);
            ask(a, "a1");
            ask(b, "b1");
            assertReset(askUntilEnd(a, "a2"));
            assertReset(askUntilEnd(b, "b2"));
            assertThat(received).containsExactlyInAnyOrder("a1", "b1");
        }

        @Test
        void aDelayHoldsOnlyTheSelectedRequest() throws IOException {
            FaultListener listener = proxy(Fault.delay(Duration.ofMillis(400)).onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            ask(socket, "one");
            long start = System.nanoTime();
            ask(socket, "two");
            long second = Sockets.millisSince(start);
            assertThat(second).as("request 2, held 400 ms").isGreaterThanOrEqualTo(390);
            ask(socket, "three");
            assertThat(received).containsExactly("one", "two", "three");
            assertThat(listener.journal().exchanges()).as("the delay fired in request 2 only")
                    .extracting(e -> e.fired(Effect.Delay.class)).containsExactly(false, true, false);
        }

        @Test
        void aStallFreezesTheRequestUnsent() throws IOException {
            FaultListener listener = proxy(Fault.stall().onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            ask(socket, "one");
            socket.setSoTimeout(500);
            socket.getOutputStream().write("two\n".getBytes(US_ASCII));
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(received).containsExactly("one");
        }

        @Test
        void aLatencyAppliesFromTheSelectedRequestOn() throws IOException {
            FaultListener listener = proxy(Fault.latency(Duration.ofMillis(300), Duration.ZERO).onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            ask(socket, "one");
            long start = System.nanoTime();
            ask(socket, "two");
            assertThat(Sockets.millisSince(start)).as("request and response each held 300 ms").isGreaterThanOrEqualTo(590);
            assertThat(listener.journal().exchanges()).extracting(e -> e.fired(Effect.Latency.class)).containsExactly(false, true);
        }

        @Test
        void anEchoingListenerTakesTheEchoAsTheServersTurn() throws IOException {
            FaultListener listener = owned.echo(Fault.reset().onRequest(Requests.nth(2)));
            Socket socket = open(listener);
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(socket.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(US_ASCII));
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            assertReset(Sockets.readUntilEnd(socket));
        }

        @Test
        void onlySelectedConnectionsAreFaulted() throws IOException {
            FaultListener listener = proxy(Fault.reset().onRequest().on(dev.netfault.Connections.nth(2)));
            Socket a = open(listener);
            Socket b = open(listener);
            ask(a, "a1");
            assertReset(askUntilEnd(b, "b1"));
            ask(a, "a2");
            assertThat(received).containsExactly("a1", "a2");
        }
    }

    @Nested
    @DisplayName("on a response")
    class OnResponse {

        @Test
        void afterExactlyKBytesOfTheSelectedResponse() throws IOException {
            FaultListener listener = proxy(Fault.reset().afterResponse(Requests.nth(2), 40));
            Socket socket = open(listener);
            ask(socket, "one");
            Sockets.Received result = askUntilEnd(socket, "two");
            assertThat(result.bytes()).as("bytes of response 2 before the reset").hasSize(40);
            assertReset(result);
            assertThat(received).containsExactly("one", "two");
            await().until(() -> listener.journal().exchanges().size() == 2 && listener.journal().connection(1).orElseThrow().closed().isPresent());
            assertThat(listener.journal().exchanges().get(1)).satisfies(e -> {
                assertThat(e.responseBytes()).isEqualTo(40);
                assertThat(e.fired(Effect.Reset.class)).isTrue();
            });
        }

        @Test
        void atZeroBytesTheRequestReachedTheServerButNoByteOfTheResponseTheClient() throws IOException {
            FaultListener listener = proxy(Fault.close().afterResponse(Requests.first(1), 0));
            Socket socket = open(listener);
            Sockets.Received result = askUntilEnd(socket, "one");
            assertThat(result.bytes()).isEmpty();
            assertThat(result.failure()).as("end of stream").isNull();
            assertThat(received).containsExactly("one");
        }

        @Test
        void aGreetingIsNoResponse() throws IOException {
            String greeting = "220 ready\r\n";
            FaultListener listener = owned.inFrontOf(lineServer(greeting), Fault.close().afterResponse(Requests.nth(1), 0));
            Socket socket = open(listener);
            assertThat(new String(socket.getInputStream().readNBytes(greeting.length()), US_ASCII)).isEqualTo(greeting);
            Sockets.Received result = askUntilEnd(socket, "HELO");
            assertThat(result.bytes()).as("the response to request 1, cut before its first byte").isEmpty();
            assertThat(result.failure()).isNull();
            assertThat(received).containsExactly("HELO");
        }

        @Test
        void aRequestFaultInAGreetingProtocolFiresOnTheClientsFirstTurnNotOnTheGreeting() throws IOException {
            String greeting = "* OK hello\r\n";
            FaultListener listener = owned.inFrontOf(lineServer(greeting), Fault.reset().onRequest(Requests.nth(1)));
            Socket socket = open(listener);
            assertThat(new String(socket.getInputStream().readNBytes(greeting.length()), US_ASCII)).isEqualTo(greeting);
            assertReset(askUntilEnd(socket, "LOGIN"));
            assertThat(received).isEmpty();
        }

        @Test
        void whenTheResponseEndedBecauseTheClientSpeaksAgainItsNextRequestIsLost() throws IOException {
            FaultListener listener = proxy(Fault.close().afterResponseEnd(Requests.nth(1)));
            Socket socket = open(listener);
            ask(socket, "one");
            Sockets.Received result = askUntilEnd(socket, "two");
            assertThat(result.bytes()).isEmpty();
            assertThat(result.failure()).as("end of stream").isNull();
            assertThat(received).containsExactly("one");
        }

        @Test
        void whenTheResponseEndedBecauseTheClientClosed() throws IOException {
            FaultListener listener = proxy(Fault.reset().afterResponseEnd(Requests.nth(1)));
            Socket socket = open(listener);
            ask(socket, "one");
            socket.shutdownOutput();
            assertReset(Sockets.readUntilEnd(socket));
            await().until(() -> listener.journal().connection(1).orElseThrow().listenerClosure() == Closure.RST);
        }

        @Test
        void anEchoingListenerRejectsResponseTriggers() {
            Fault fault = Fault.reset().afterResponse(Requests.all(), 10);
            assertThatThrownBy(() -> FaultListener.standalone().echo().fault(fault).start())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("echoes").hasMessageContaining("Fix:");
            FaultListener echo = owned.echo();
            assertThatThrownBy(() -> echo.addFault(Fault.close().afterResponseEnd(Requests.first(1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inFrontOf");
        }
    }

    @Nested
    @DisplayName("idle connections")
    class Idle {

        @Test
        void aConnectionIdleForTheTimeIsClosedWithAFinAsAKeepAliveTimeoutDoes() throws Exception {
            FaultListener listener = proxy(Fault.close().afterIdle(Duration.ofMillis(400)));
            Socket socket = open(listener);
            for (int i = 0; i < 4; i++) {
                ask(socket, "busy" + i); // active every 150 ms: never idle for 400 ms
                idle(listener, Duration.ofMillis(150));
            }
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
            assertThat(Sockets.millisSince(start)).isLessThan(4_000);
            assertThat(received).hasSize(4);
            await().until(() -> listener.journal().connection(1).orElseThrow().listenerClosure() != Closure.OPEN);
            ConnectionRecord record = listener.journal().connection(1).orElseThrow();
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
            assertThat(record.fired(Effect.Close.class)).isTrue();
        }

        @Test
        void aConnectionIdleForTheTimeIsResetWithAnRst() throws Exception {
            FaultListener listener = proxy(Fault.reset().afterIdle(Duration.ofMillis(300)));
            Socket socket = open(listener);
            ask(socket, "one");
            assertReset(Sockets.readUntilEnd(socket));
        }

        @Test
        void theStaleKeepAliveRaceWithAFin() throws Exception {
            FaultListener listener = proxy(Fault.close().onRequestAfterIdle(Duration.ofMillis(300)));
            Socket socket = open(listener);
            ask(socket, "one");
            ask(socket, "two"); // at once: not idle long enough
            idle(listener, Duration.ofMillis(500));
            socket.getOutputStream().write("three\n".getBytes(US_ASCII)); // the write succeeds: the request is in flight
            Sockets.Received result = Sockets.readUntilEnd(socket);
            assertThat(result.bytes()).isEmpty();
            assertThat(result.failure()).as("end of stream (%s)", result.end()).isNull();
            assertThat(received).as("the lost request never reached the server").containsExactly("one", "two");
            socket.close(); // the listener drains what the client sends until it closes
            await().until(() -> listener.journal().connection(1).orElseThrow().closed().isPresent());
            assertThat(listener.journal().request(3)).hasValueSatisfying(e -> {
                assertThat(e.fired(Effect.Close.class)).isTrue();
                assertThat(e.requestBytes()).isEqualTo(6);
                assertThat(e.responseBytes()).isZero();
            });
            assertThat(listener.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.FIN);
        }

        @Test
        void theStaleKeepAliveRaceWithAnRst() throws Exception {
            FaultListener listener = proxy(Fault.reset().onRequestAfterIdle(Duration.ofMillis(300)));
            Socket socket = open(listener);
            ask(socket, "one");
            idle(listener, Duration.ofMillis(500));
            socket.getOutputStream().write("two\n".getBytes(US_ASCII));
            assertReset(Sockets.readUntilEnd(socket));
            assertThat(received).containsExactly("one");
        }

        @Test
        void theRaceIsTheSameEveryRun() throws Exception {
            FaultListener listener = proxy(Fault.close().onRequestAfterIdle(Duration.ofMillis(100)));
            for (int run = 0; run < 10; run++) {
                Socket socket = open(listener);
                ask(socket, "first" + run);
                idle(listener, Duration.ofMillis(150));
                assertThat(askUntilEnd(socket, "lost" + run).bytes()).as("run %d", run).isEmpty();
            }
            assertThat(received).allMatch(line -> line.startsWith("first")).hasSize(10);
        }

        @Test
        void withoutAnIdleTimeTheRaceAimsAtTheSecondRequestOfEachConnection() throws Exception {
            FaultListener listener = proxy(Fault.close().when(Trigger.onRequest(Requests.nthOnConnection(2))));
            Socket socket = open(listener);
            ask(socket, "one");
            assertThat(askUntilEnd(socket, "two").bytes()).isEmpty();
            assertThat(received).containsExactly("one");
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void selectionsNeedPositiveNumbers() {
            assertThatThrownBy(() -> Requests.first(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 1, but was 0").hasMessageContaining("Fix:");
            assertThatThrownBy(() -> Requests.nth(-1)).hasMessageContaining("at least 1 (the first), but was -1");
            assertThatThrownBy(() -> Requests.everyNth(0)).hasMessageContaining("at least 1, but was 0");
            assertThatThrownBy(() -> Requests.nthOnConnection(0)).hasMessageContaining("at least 1 (its first request)");
            assertThatThrownBy(() -> Requests.withProbability(1.5)).hasMessageContaining("from 0 to 1, but was 1.5");
            assertThatThrownBy(() -> Requests.withProbability(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void triggersRejectNegativeAndZeroTimes() {
            assertThatThrownBy(() -> Trigger.afterIdle(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than 0").hasMessageContaining("Fix:");
            assertThatThrownBy(() -> Trigger.onRequestAfterIdle(Duration.ofMillis(-1))).hasMessageContaining("must not be negative");
            assertThatThrownBy(() -> Trigger.afterResponse(Requests.all(), -1)).hasMessageContaining("must not be negative, but was -1");
            assertThatThrownBy(() -> Trigger.onRequest(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("requests");
        }

        @Test
        void faultsDescribeThemselves() {
            assertThat(Fault.reset().onRequest(Requests.first(2)).describe()).isEqualTo("reset on the first 2 requests on every connection");
            assertThat(Fault.close().onRequestAfterIdle(Duration.ofMillis(500)).describe())
                    .isEqualTo("close on every request after 500ms idle on every connection");
            assertThat(Fault.reset().afterResponse(Requests.nth(3), 10).describe())
                    .isEqualTo("reset after 10 bytes of the response to request #3 on every connection");
            assertThat(Fault.close().afterIdle(Duration.ofSeconds(5)).describe()).isEqualTo("close after 5000ms idle on every connection");
        }
    }
}
