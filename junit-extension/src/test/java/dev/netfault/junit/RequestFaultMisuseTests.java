package dev.netfault.junit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

/** Request and idle attributes used wrongly, and request faults that never fired: each fails with the rule and the fix. */
@DisplayName("request and idle faults: contradictions and faults that never fired")
class RequestFaultMisuseTests {

    @Nested
    @DisplayName("contradictory or bad attributes")
    class Contradictions {

        private static EngineExecutionResults results;

        @BeforeAll
        static void runTheFixtureOnce() {
            Contradicting.reached.set(0);
            results = Kit.run(Contradicting.class);
        }

        static Stream<Arguments> contradictions() {
            String at = "@Reset on method '%s()'";
            return Stream.of(
                    arguments("bytesAndResponseBytes", at + " sets both afterBytesToClient = 10 and afterResponseBytes = 10, but one reset"
                            + " fires at one point. Fix: keep one, or repeat @Reset for resets at several points (the first to fire wins)."),
                    arguments("idleAndRace", "@Close on method '%s()' sets both afterIdle = 100 and idleBeforeRequest = 100, but one"
                            + " close fires at one point. Fix: keep one."),
                    arguments("firstRequestsAndRequest", at + " sets both firstRequests = 2 and nthRequest = 3, which select requests in two"
                            + " ways. Fix: keep one, or repeat @Reset for each selection."),
                    arguments("requestAndAfterIdle", at + " sets nthRequest = 2 and afterIdle = 100, but afterIdle fires on an idle connection,"
                            + " not on requests, so the request selection would mean nothing. Fix: remove afterIdle (the reset then fires as"
                            + " the selected request starts), or use afterResponseBytes, afterResponseEnd or idleBeforeRequest, or remove nthRequest."),
                    arguments("requestAndByteOffset", "@Latency on method '%s()' sets firstRequests = 1 and afterBytesToClient = 5, but"
                            + " afterBytesToClient counts bytes or time on a connection, not on requests, so the request selection would"
                            + " mean nothing. Fix: remove afterBytesToClient (the latency then fires as the selected request starts), or use"
                            + " afterResponseBytes, afterResponseEnd or idleBeforeRequest, or remove firstRequests."),
                    arguments("negativeRequest", at + ": nthRequest must be non-negative (0: not by request), but was -1. Fix: give the"
                            + " number of the one request that gets the reset, 1 for the first."),
                    arguments("negativeFirstRequests", at + ": firstRequests must be non-negative (0: not by request), but was -2. Fix:"
                            + " give how many requests, from the first across the listener, get the reset (2: fail twice, then recover)."),
                    arguments("requestProbabilityAboveOne", at + ": requestProbability must be at most 1 (negative: not by request), but"
                            + " was 1.5. Fix: give the chance of each request, from 0 to 1."),
                    arguments("zeroAfterIdle", "@Close on method '%s()': afterIdle must be more than 0, but was 0 milliseconds."
                            + " Fix: give how long a connection idles before the close fires."),
                    arguments("negativeIdleBeforeRequest", at + ": idleBeforeRequest must be non-negative, but was -5 seconds. Fix: give"
                            + " how long the connection must have idled before the request, in seconds."),
                    arguments("negativeResponseBytes", "@Stall on method '%s()': afterResponseBytes must be non-negative, but was -1."
                            + " Fix: give how many bytes of the response reach the client first (0: none)."),
                    arguments("negativeRequestOnConnection", at + ": nthRequestOnConnection must be non-negative (0: not by request), but"
                            + " was -1. Fix: give the number of the request on each connection, 1 for its first (2: the first reuse of a"
                            + " pooled connection)."));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("contradictions")
        void failsWithTheAnnotationTheRuleAndTheFix(String method, String message) {
            assertThat(Kit.failure(results, method)).isInstanceOf(ExtensionConfigurationException.class).hasMessage(message.formatted(method));
        }

        @Test
        void failsBeforeAnythingIsInstalled() {
            assertThat(results.testEvents().failed().count()).as(Kit.describe(results)).isEqualTo(contradictions().count());
            assertThat(Contradicting.reached).as("@BeforeEach and test bodies reached").hasValue(0);
            Leftovers.assertNoListenerThreads();
        }

        @Test
        @EnableNetFault
        void aResponseTriggerOnAnEchoingListenerIsRefusedByCore(NetFault netfault) {
            assertThatThrownBy(() -> netfault.start(FaultListener.standalone().echo().fault(Fault.reset().afterResponse(Requests.nth(1), 0))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("echoes, so it has no server responses");
        }
    }

    @Fixture
    static class Contradicting {

        static final AtomicInteger reached = new AtomicInteger();

        @BeforeEach
        void reach() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(afterBytesToClient = 10, afterResponseBytes = 10)
        void bytesAndResponseBytes() {
            reached.incrementAndGet();
        }

        @Test
        @Close(afterIdle = 100, idleBeforeRequest = 100)
        void idleAndRace() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(firstRequests = 2, nthRequest = 3)
        void firstRequestsAndRequest() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(nthRequest = 2, afterIdle = 100)
        void requestAndAfterIdle() {
            reached.incrementAndGet();
        }

        @Test
        @Latency(value = 10, firstRequests = 1, afterBytesToClient = 5)
        void requestAndByteOffset() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(nthRequest = -1)
        void negativeRequest() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(firstRequests = -2)
        void negativeFirstRequests() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(requestProbability = 1.5)
        void requestProbabilityAboveOne() {
            reached.incrementAndGet();
        }

        @Test
        @Close(afterIdle = 0)
        void zeroAfterIdle() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(idleBeforeRequest = -5, unit = java.util.concurrent.TimeUnit.SECONDS)
        void negativeIdleBeforeRequest() {
            reached.incrementAndGet();
        }

        @Test
        @Stall(afterResponseBytes = -1)
        void negativeResponseBytes() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(nthRequestOnConnection = -1)
        void negativeRequestOnConnection() {
            reached.incrementAndGet();
        }
    }

    /** Sends {@code count} requests on one connection and reads each echo. */
    static void send(FaultListener listener, int count) throws IOException {
        try (Socket socket = Sockets.connect(listener.address())) {
            for (int i = 0; i < count; i++) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                assertThat(socket.getInputStream().readNBytes(4)).hasSize(4);
            }
        }
    }

    @Nested
    @DisplayName("a request or idle fault that never fired")
    class NeverFired {

        private static EngineExecutionResults results;

        @BeforeAll
        static void runTheFixtureOnce() {
            results = Kit.run(Missing.class);
        }

        @Test
        void leavesNoListenerBehind() {
            Leftovers.assertNoListenerThreads();
        }

        private static String message(String method) {
            Throwable failure = Kit.failure(results, method);
            assertThat(failure).isInstanceOf(AssertionFailedError.class);
            assertThat(failure.getMessage()).startsWith("netfault: a fault of this test waited for requests or an idle connection and never"
                    + " fired, so the test proved nothing about it:\n  - ").endsWith("\nTo report this as a warning in the test report instead"
                    + " of a failure, set the configuration parameter netfault.unmatched=warn.");
            return failure.getMessage();
        }

        @Test
        void fewerRequestsThanTheSelectedOne() {
            assertThat(message("sendsOneRequest")).contains("@Reset(nthRequest = 3) on method 'sendsOneRequest()' (reset on request #3"
                    + " on every connection): the client sent 1 request, and the fault waited for request #3: fewer requests than expected."
                    + " Fix: make the test send 3 requests, or aim at request 1.");
        }

        @Test
        void noConnectionAtAll() {
            assertThat(message("sendsNothing")).contains("@Close(firstRequests = 2) on method 'sendsNothing()'")
                    .contains("no connection reached the listener, so no request came.");
        }

        @Test
        void noReuseForARequestOnTheConnection() {
            assertThat(message("neverReuses")).contains("@Reset(nthRequestOnConnection = 2)")
                    .contains("the client sent 2 requests, and the fault waited for request #2 of each connection: no connection carried 2"
                            + " requests (at most 1): the client did not reuse its connections");
        }

        @Test
        void aRaceWithoutAPause() {
            assertThat(message("neverPauses")).contains("@Close(idleBeforeRequest = 2000) on method 'neverPauses()'")
                    .contains("the client sent 2 requests, but none of the selected ones (#1, #2) started on a connection idle for at least 2000 ms");
        }

        @Test
        void anIdleTimeoutLongerThanTheTest() {
            assertThat(message("endsBeforeTheIdleTime")).contains("@Close(afterIdle = 10000)")
                    .contains("none of the listener's 1 connection stayed idle for 10000 ms");
        }

        @Test
        void aResponseTriggerOnAStandAloneListener() {
            assertThat(message("standAloneNeverAnswers")).contains("@Reset(afterResponseBytes = 10)")
                    .contains("the selected request (#1) got no response: the listener stands alone (no upstream or target), so nothing"
                            + " answers. Fix: give upstream or target, or call listener.proxyTo(server address) in @BeforeEach.");
        }

        @Test
        void aResponseShorterThanTheOffset() {
            assertThat(message("shortResponse")).contains("the response to the selected request (#1) had at most 4 bytes, and the fault waited"
                    + " for byte 100. Fix: aim at an offset within the response.");
        }

        @Test
        void aResponseThatNeverEnded() {
            assertThat(message("responseNeverEnds")).contains("@Close(nthRequest = 1, afterResponseEnd)")
                    .contains("never ended: a response ends when the client starts its next request on the same connection or closes its side");
        }

        @Test
        void aFaultAddedInCode() {
            assertThat(message("addedInCode")).contains("a fault added in code on listener 'addedInCode' (reset on request #5 on every"
                    + " connection): the client sent 1 request");
        }

        @Test
        void faultsThatFiredPass() {
            assertThat(Kit.outcomes(results, "firesOnce")).singleElement()
                    .satisfies(r -> assertThat(r.getStatus()).isEqualTo(org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL));
        }

        @Test
        void withWarnTheTestsPassAndTheSameTextIsAReportEntry() {
            EngineExecutionResults warned = Kit.runMethod(Missing.class, "sendsOneRequest", "netfault.unmatched=warn");
            Kit.assertAllSucceeded(warned, 1);
            List<Map<String, String>> entries = warned.allEvents().reportingEntryPublished().stream()
                    .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()).toList();
            assertThat(entries).filteredOn(e -> e.containsKey("netfault.unmatched")).singleElement()
                    .satisfies(e -> assertThat(e.get("netfault.unmatched")).contains("waited for request #3"));
        }
    }

    @Fixture
    static class Missing {

        /** A connection kept open past its test, as a pool keeps it; closed once the fixture ran. */
        static volatile Socket kept;

        private RecordingServer peer;

        @org.junit.jupiter.api.AfterAll
        static void closeTheKeptConnection() throws IOException {
            if (kept != null) {
                kept.close();
            }
        }

        @BeforeEach
        void start(FaultListener listener) {
            peer = RecordingServer.echo();
            if (!listener.name().equals("standAloneNeverAnswers")) {
                listener.proxyTo(peer.address());
            }
        }

        @org.junit.jupiter.api.AfterEach
        void stop() {
            peer.close();
        }

        @Test
        @Reset(nthRequest = 3)
        void sendsOneRequest(FaultListener listener) throws IOException {
            send(listener, 1);
        }

        @Test
        @Close(firstRequests = 2)
        void sendsNothing() {
        }

        @Test
        @Reset(nthRequestOnConnection = 2)
        void neverReuses(FaultListener listener) throws IOException {
            send(listener, 1);
            send(listener, 1);
        }

        @Test
        @Close(idleBeforeRequest = 2000)
        void neverPauses(FaultListener listener) throws IOException {
            send(listener, 2);
        }

        @Test
        @Close(afterIdle = 10_000)
        void endsBeforeTheIdleTime(FaultListener listener) throws IOException {
            send(listener, 1);
        }

        @Test
        @Reset(afterResponseBytes = 10)
        void standAloneNeverAnswers(FaultListener listener, dev.netfault.Journal journal) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                dev.netfault.testsupport.Waiting.await().until(() -> journal.exchanges().size() == 1);
            }
        }

        @Test
        @Reset(afterResponseBytes = 100)
        void shortResponse(FaultListener listener) throws IOException {
            send(listener, 1);
        }

        @Test
        @Close(nthRequest = 1, afterResponseEnd = true)
        void responseNeverEnds(FaultListener listener, dev.netfault.Journal journal) throws IOException {
            Socket socket = Sockets.connect(listener.address());
            kept = socket;
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(socket.getInputStream().readNBytes(4)).hasSize(4);
        }

        @Test
        @Reset(nthConnection = 99)
        void addedInCode(FaultListener listener) throws IOException {
            listener.addFault(Fault.reset().onRequest(Requests.nth(5)));
            send(listener, 1);
        }

        @Test
        @Reset(nthRequest = 2)
        void firesOnce(FaultListener listener) throws IOException {
            send(listener, 1);
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                assertThat(Sockets.readUntilEnd(socket).failure()).isNotNull();
            }
        }
    }
}
