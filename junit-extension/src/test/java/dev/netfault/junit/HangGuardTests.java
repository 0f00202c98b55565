package dev.netfault.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

@DisplayName("The hang guard")
class HangGuardTests {

    private static final String ONE_SECOND = NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=1s";

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    @Nested
    @DisplayName("fails a test that would hang")
    class FailsATestThatWouldHang {

        @Test
        void inAConnectWithoutATimeout() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "connectsWithoutATimeout", ONE_SECOND),
                    "connectsWithoutATimeout");
            // the listener closed: the client's next SYN retransmission (1 s, then 3 s after its first) is refused
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class);
            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(0)).isEqualTo("netfault: connectsWithoutATimeout() was still running 1 s after it started, under"
                    + " its faults (@SlowAccept: never accepts, backlog 1, accept queue full from the start at listener 127.0.0.1:"
                    + HangingFixture.listener.get().getPort() + ").");
            assertThat(lines.get(1)).startsWith("It was blocked in connect() (").endsWith("): a connect without a timeout waits for the"
                    + " kernel's SYN retries, about 130 s on Linux. Give the client a connect timeout, such as Socket.connect(address, millis).");
            assertExplainsTheRelease(lines, "connectsWithoutATimeout");
            assertThat(failure.getCause()).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }

        @Test
        void inAReadWithoutATimeout() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "readsWithoutATimeout", ONE_SECOND),
                    "readsWithoutATimeout");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class);
            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(0)).isEqualTo("netfault: readsWithoutATimeout() was still running 1 s after it started, under its faults"
                    + " (@LeakedServerSockets: accepts and leaks 1 connection(s), then stops accepting at listener 127.0.0.1:"
                    + HangingFixture.listener.get().getPort() + ").");
            assertThat(lines.get(1)).startsWith("It was blocked in read() (").endsWith("): a read without a timeout waits forever on a"
                    + " silent peer. Give the client a read timeout, such as Socket.setSoTimeout(millis).");
            assertExplainsTheRelease(lines, "readsWithoutATimeout");
            // the guard closed the listener, which resets the connections it leaked
            assertThat(failure.getCause()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }

        @Test
        @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
        void inAReadWithoutATimeoutOnARelayedConnectionThatAFaultLeftSilent() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "readsABlackholedRelayWithoutATimeout", ONE_SECOND),
                    "readsABlackholedRelayWithoutATimeout");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("netfault: readsABlackholedRelayWithoutATimeout() was still running 1 s after it started");
            // a relayed connection outlives a plain close as pass-through; the guard resets it, so the read ends
            assertThat(failure.getCause()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }

        @Test
        void inAnHttpClientSendWithoutTimeouts() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "sendsWithoutTimeouts", ONE_SECOND),
                    "sendsWithoutTimeouts");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class).hasMessageStartingWith("netfault: sendsWithoutTimeouts()"
                    + " was still running 1 s after it started, under its faults");
            assertThat(failure.getMessage().lines().toList().get(1)).isEqualTo("It was waiting in java.net.http.HttpClient.send(), which has"
                    + " no timeout unless given one: give the client a connectTimeout (HttpClient.Builder.connectTimeout) and the request a"
                    + " timeout (HttpRequest.Builder.timeout), both shorter than the hang timeout of 1 s.");
            assertThat(failure.getCause()).isInstanceOf(ConnectException.class);
        }

        @Test
        void inAConnectWithATimeoutLongerThanTheGuardsAndDoesNotCallItUntimed() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "connectsWithATimeoutLongerThanTheGuard", ONE_SECOND),
                    "connectsWithATimeoutLongerThanTheGuard");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(1)).isEqualTo("It was blocked in connect() (sun.nio.ch.NioSocketImpl.timedFinishConnect) with a connect"
                    + " timeout at least as long as the hang timeout of 1 s (clients' defaults often are: pgjdbc's connectTimeout is 10 s,"
                    + " Apache HttpClient 5's 3 min). Give the client a connect timeout shorter than the hang timeout, or raise the hang"
                    + " timeout above it.");
            assertExplainsTheRelease(lines, "connectsWithATimeoutLongerThanTheGuard");
            assertThat(failure.getCause()).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }

        @Test
        void inAReadWithATimeoutLongerThanTheGuardsAndDoesNotCallItUntimed() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "readsWithATimeoutLongerThanTheGuard", ONE_SECOND),
                    "readsWithATimeoutLongerThanTheGuard");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(1)).isEqualTo("It was blocked in read() (sun.nio.ch.NioSocketImpl.timedRead) with a read timeout at least"
                    + " as long as the hang timeout of 1 s (clients' defaults often are: OkHttp's read timeout is 10 s). Give the client a"
                    + " read timeout shorter than the hang timeout, or raise the hang timeout above it.");
            assertExplainsTheRelease(lines, "readsWithATimeoutLongerThanTheGuard");
            assertThat(failure.getCause()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }

        @Test
        void inAGrpcBlockingStubCallAndAdvisesADeadline() {
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "waitsInAGrpcBlockingStub",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=300ms"), "waitsInAGrpcBlockingStub");
            assertThat(failure).isInstanceOf(AssertionFailedError.class).hasNoCause();
            assertThat(failure.getMessage().lines().toList().get(1)).isEqualTo("It was waiting in a gRPC blocking stub call"
                    + " (io.grpc.stub.ClientCalls.blockingUnaryCall), which has no deadline unless given one, or has one at least as long"
                    + " as the hang timeout of 300 ms: set a deadline shorter than that on the call, such as"
                    + " stub.withDeadlineAfter(2, TimeUnit.SECONDS).method(request).");
        }

        @Test
        void busyOutsideTheNetworkAndSaysWhere() {
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "busyElsewhere",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=300ms"), "busyElsewhere");
            assertThat(failure).isInstanceOf(AssertionFailedError.class).hasNoCause();
            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(0)).isEqualTo("netfault: busyElsewhere() was still running 300 ms after it started, under its faults"
                    + " (@Reset: reset after 3600000ms on every connection at listener 127.0.0.1:"
                    + HangingFixture.listener.get().getPort() + ").");
            // StackTraceElement.toString() may prefix the class loader's name, such as "app//"
            assertThat(lines.get(1)).startsWith("It was blocked at ")
                    .contains(HangingFixture.class.getName() + ".busyElsewhere(HangGuardTests.java:").endsWith(").");
        }

        private static void assertExplainsTheRelease(List<String> lines, String method) {
            assertThat(lines.subList(2, 5)).containsExactly(
                    "netfault released the faults (closed its listeners and reset their connections) so that the test could end.",
                    "If the test really needs longer, annotate it with @HangTimeout or raise the configuration parameter"
                            + " netfault.hang.timeout (0 turns the guard off).",
                    "Where the test thread was when the guard fired:");
            assertThat(lines.subList(5, lines.size())).allMatch(line -> line.startsWith("\tat ") || line.equals("\t..."))
                    .anyMatch(line -> line.contains(HangingFixture.class.getName() + "." + method + "("));
        }
    }

    @Nested
    @DisplayName("leaves alone")
    class LeavesAlone {

        @Test
        void aTestThatEndsInTime() {
            Kit.assertAllSucceeded(Kit.runMethod(HangingFixture.class, "endsInTime", ONE_SECOND), 1);
        }

        @Test
        void aTestThatFailsOnItsOwn() {
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "failsOnItsOwn", ONE_SECOND), "failsOnItsOwn");
            assertThat(failure).isInstanceOf(AssertionError.class).hasMessage("the test's own failure");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "0ms", "0s"})
        void everyTestWhenTheTimeoutIsZero(String zero) {
            // a zero timeout would release the faults at once: the leaked connection would be reset, not time out
            Kit.assertAllSucceeded(Kit.runMethod(HangingFixture.class, "readsWithATimeout",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=" + zero), 1);
        }

        @Test
        void noTestThatEndsBeforeAShortTimeoutButFiresAfterIt() {
            // the control for the test above: the same test with a 100 ms guard is released, and fails
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "readsWithATimeout",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=100ms"), "readsWithATimeout");
            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("netfault: readsWithATimeout() was still running 100 ms after it started, under its faults");
        }
    }

    @Nested
    @DisplayName("takes its timeout from " + NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME)
    class Configuration {

        @ParameterizedTest
        @ValueSource(strings = {"10", "10s", "10S", " 10 s ", "10000ms", "1m"})
        void acceptsSecondsMillisecondsAndMinutes(String timeout) {
            Kit.assertAllSucceeded(Kit.runMethod(HangingFixture.class, "endsInTime",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=" + timeout), 1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"ten seconds", "1.5s", "-1s", "1h", "PT10S", ""})
        void rejectsAnythingElseWithAnExtensionConfigurationException(String timeout) {
            HangingFixture.ran.set(null);
            Throwable failure = Kit.failure(Kit.runMethod(HangingFixture.class, "endsInTime",
                    NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=" + timeout), "endsInTime");
            assertThat(failure).isInstanceOf(ExtensionConfigurationException.class)
                    .hasMessage("Configuration parameter netfault.hang.timeout must be a duration such as 10s, 500ms or 2m"
                            + " (0 turns the guard off), but was \"" + timeout + "\".");
            assertThat(HangingFixture.ran.get()).as("the test body ran").isNull();
        }
    }

    @Fixture
    static class HangingFixture {

        static final AtomicReference<InetSocketAddress> listener = new AtomicReference<>();
        static final AtomicReference<String> ran = new AtomicReference<>();

        @BeforeEach
        void remember(FaultListener server) {
            listener.set(server.address());
            ran.set(null);
        }

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void connectsWithoutATimeout(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address());
            }
        }

        @Test
        @LeakedServerSockets
        void readsWithoutATimeout(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address());
                client.getInputStream().read();
            }
        }

        @Test
        @Reset(after = 1, unit = TimeUnit.HOURS)
        void readsABlackholedRelayWithoutATimeout(FaultListener server) throws IOException {
            try (dev.netfault.testsupport.RecordingServer echo = dev.netfault.testsupport.RecordingServer.echo()) {
                server.proxyTo(echo.address());
                server.addFault(dev.netfault.Fault.blackhole());
                try (Socket client = new Socket()) {
                    client.connect(server.address());
                    client.getOutputStream().write(1);
                    client.getInputStream().read(); // the blackhole dropped the byte: nothing ever comes back
                }
            }
        }

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void sendsWithoutTimeouts(FaultListener server) throws IOException, InterruptedException {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("http")).build(), HttpResponse.BodyHandlers.discarding());
        }

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void connectsWithATimeoutLongerThanTheGuard(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address(), 60_000);
            }
        }

        @Test
        @LeakedServerSockets
        void readsWithATimeoutLongerThanTheGuard(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address());
                client.setSoTimeout(60_000);
                client.getInputStream().read();
            }
        }

        @Test
        @Reset(after = 1, unit = TimeUnit.HOURS)
        void waitsInAGrpcBlockingStub(FaultListener server) throws InterruptedException {
            io.grpc.stub.ClientCalls.blockingUnaryCall(1500);
        }

        @Test
        @Reset(after = 1, unit = TimeUnit.HOURS)
        void busyElsewhere(FaultListener server) throws InterruptedException {
            // stands for work that never finishes and that no network fault explains: nothing counts the latch down
            new CountDownLatch(1).await(1, TimeUnit.SECONDS);
        }

        @Test
        @Reset
        void endsInTime(FaultListener server) throws IOException {
            ran.set("endsInTime");
            try (Socket client = Clients.connect(server.address())) {
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        @Reset
        void failsOnItsOwn(FaultListener server) {
            fail("the test's own failure");
        }

        @Test
        @LeakedServerSockets
        void readsWithATimeout(FaultListener server, Journal journal) throws IOException {
            try (Socket client = Clients.connect(server.address())) {
                client.setSoTimeout(500);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
            assertThat(journal.events()).extracting(JournalEvent::type).doesNotContain(JournalEvent.Type.LISTENER_CLOSED);
        }
    }
}
