package dev.netfault.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.opentest4j.AssertionFailedError;

@DisplayName("The hang guard around @BeforeEach and @AfterEach, and its per-test timeout @HangTimeout")
class HangGuardLifecycleTests {

    private static final String ONE_SECOND = NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=1s";
    private static final String TEN_SECONDS = NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=10s";

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    @Nested
    @DisplayName("watches lifecycle methods")
    class LifecycleMethods {

        @Test
        void failsABeforeEachMethodBlockedInARead() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(BeforeEachHangs.class, "neverRuns", ONE_SECOND), "neverRuns");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class);
            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(0)).isEqualTo("netfault: @BeforeEach method readsWithoutATimeout() of test neverRuns() was still running"
                    + " 1 s after it started, under its faults (@LeakedServerSockets: accepts and leaks 1 connection(s), then stops"
                    + " accepting at listener 127.0.0.1:" + BeforeEachHangs.port.get() + ").");
            assertThat(lines.get(1)).startsWith("It was blocked in read() (");
            assertThat(failure.getCause()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(BeforeEachHangs.bodyRan).as("the test body ran").isFalse();
        }

        @Test
        void failsAnAfterEachMethodBlockedInAConnect() {
            long start = System.nanoTime();
            Throwable failure = Kit.failure(Kit.runMethod(AfterEachHangs.class, "passes", ONE_SECOND), "passes");
            assertThat(Clients.since(start)).isLessThan(Duration.ofSeconds(15));

            assertThat(failure).isInstanceOf(AssertionFailedError.class);
            List<String> lines = failure.getMessage().lines().toList();
            assertThat(lines.get(0)).isEqualTo("netfault: @AfterEach method connectsWithoutATimeout() of test passes() was still running"
                    + " 1 s after it started, under its faults (@SlowAccept: never accepts, backlog 1, accept queue full from the start"
                    + " at listener 127.0.0.1:" + AfterEachHangs.port.get() + ").");
            assertThat(lines.get(1)).startsWith("It was blocked in connect() (");
            assertThat(failure.getCause()).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }

        @Test
        void leavesLifecycleMethodsThatEndInTimeAlone() {
            Kit.assertAllSucceeded(Kit.runMethod(QuickLifecycle.class, "passes", ONE_SECOND), 1);
            assertThat(QuickLifecycle.calls).hasValue(3);
        }
    }

    @Nested
    @DisplayName("@HangTimeout")
    class Annotation {

        @Test
        void onAMethodOverridesTheConfigurationParameter() {
            Throwable failure = Kit.failure(Kit.runMethod(Timeouts.class, "shortGuard", TEN_SECONDS), "shortGuard");
            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("netfault: shortGuard() was still running 300 ms after it started, under its faults");
        }

        @Test
        void zeroOnAMethodTurnsTheGuardOff() {
            // with the parameter's 100 ms the guard would reset the leaked connection before the read timed out
            Kit.assertAllSucceeded(Kit.runMethod(Timeouts.class, "noGuard", NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=100ms"), 1);
        }

        @Test
        void onAClassAppliesToEachOfItsTests() {
            Throwable failure = Kit.failure(Kit.runMethod(ClassTimeout.class, "usesTheClasssGuard", TEN_SECONDS), "usesTheClasssGuard");
            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("netfault: usesTheClasssGuard() was still running 200 ms after it started, under its faults");
        }

        @Test
        void onTheMethodWinsOverTheClass() {
            Kit.assertAllSucceeded(Kit.runMethod(ClassTimeout.class, "turnsItOff", TEN_SECONDS), 1);
        }

        @Test
        void negativeFailsTheTestBeforeAnythingIsInstalled() {
            Throwable failure = Kit.failure(Kit.runMethod(Timeouts.class, "negative", TEN_SECONDS), "negative");
            assertThat(failure).isExactlyInstanceOf(ExtensionConfigurationException.class)
                    .hasMessage("@HangTimeout on method 'negative()': value must be 0 (no guard) or positive, but was -1. Fix: give how"
                            + " long the test may run under its faults, or 0 to turn the guard off.");
            assertThat(Timeouts.bodyRan).as("the test body ran").isFalse();
        }

        @Test
        void tooLongToScheduleFailsTheTest() {
            Throwable failure = Kit.failure(Kit.runMethod(Timeouts.class, "tooLong", TEN_SECONDS), "tooLong");
            assertThat(failure).isExactlyInstanceOf(ExtensionConfigurationException.class)
                    .hasMessage("@HangTimeout on method 'tooLong()': 9223372036854775807 days is too long to schedule. Fix: give a shorter"
                            + " duration, or 0 to turn the guard off.");
        }
    }

    /** Reads a leaked connection with a 2 s read timeout: longer than the short guards below. */
    private static void readsALeakedConnection(FaultListener server, int timeoutMillis) throws IOException {
        try (Socket client = Clients.connect(server.address())) {
            client.setSoTimeout(timeoutMillis);
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }

    @Fixture
    static class BeforeEachHangs {

        static final AtomicInteger port = new AtomicInteger();
        static volatile boolean bodyRan;

        @BeforeEach
        void readsWithoutATimeout(FaultListener server) throws IOException {
            port.set(server.port());
            bodyRan = false;
            try (Socket client = new Socket()) {
                client.connect(server.address());
                client.getInputStream().read();
            }
        }

        @Test
        @LeakedServerSockets
        void neverRuns() {
            bodyRan = true;
        }
    }

    @Fixture
    static class AfterEachHangs {

        static final AtomicInteger port = new AtomicInteger();

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void passes(FaultListener server) {
            port.set(server.port());
        }

        @AfterEach
        void connectsWithoutATimeout(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address());
            }
        }
    }

    @Fixture
    static class QuickLifecycle {

        static final AtomicInteger calls = new AtomicInteger();

        @BeforeEach
        void before(FaultListener server) {
            calls.set(1);
        }

        @Test
        @Reset
        void passes(FaultListener server) throws IOException {
            calls.incrementAndGet();
            try (Socket client = Clients.connect(server.address())) {
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @AfterEach
        void after(FaultListener server) {
            calls.incrementAndGet();
        }
    }

    @Fixture
    static class Timeouts {

        static volatile boolean bodyRan;

        @Test
        @LeakedServerSockets
        @HangTimeout(value = 300, unit = TimeUnit.MILLISECONDS)
        void shortGuard(FaultListener server) throws IOException {
            readsALeakedConnection(server, 2_000);
        }

        @Test
        @LeakedServerSockets
        @HangTimeout(0)
        void noGuard(FaultListener server) throws IOException {
            readsALeakedConnection(server, 500);
        }

        @BeforeEach
        void reset() {
            bodyRan = false;
        }

        @Test
        @LeakedServerSockets
        @HangTimeout(-1)
        void negative(FaultListener server) {
            bodyRan = true;
        }

        @Test
        @LeakedServerSockets
        @HangTimeout(value = Long.MAX_VALUE, unit = TimeUnit.DAYS)
        void tooLong(FaultListener server) {
        }
    }

    @Fixture
    @HangTimeout(value = 200, unit = TimeUnit.MILLISECONDS)
    static class ClassTimeout {

        @Test
        @LeakedServerSockets
        void usesTheClasssGuard(FaultListener server) throws IOException {
            readsALeakedConnection(server, 2_000);
        }

        @Test
        @LeakedServerSockets
        @HangTimeout(0)
        void turnsItOff(FaultListener server) throws IOException {
            readsALeakedConnection(server, 500);
        }
    }
}
