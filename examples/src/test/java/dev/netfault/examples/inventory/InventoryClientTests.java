package dev.netfault.examples.inventory;

import static dev.netfault.examples.inventory.FakeInventoryService.ABC_1_UNITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.Reset;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.SlowAccept;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

@Order(1)
@DisplayName("InventoryClient: an HTTP client with timeouts and retries, under network faults")
class InventoryClientTests {

    // The real service: netfault's listener sits in front of it and relays to it.
    final FakeInventoryService service = FakeInventoryService.start();

    // What the client tells its RetryListener: the failure of each attempt it retries.
    final List<IOException> retried = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopService() {
        service.close();
    }

    /**
     * The client under test, pointed at netfault's listener instead of the service. Its timeouts
     * are generous: a reset needs no timeout to be noticed, and a slow test machine must not time
     * out a request that succeeds. The tests about timeouts set short ones.
     */
    InventoryClient.Builder clientOf(FaultListener netfault) {
        return InventoryClient.builder(netfault.uri("http"))
                .connectTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(2))
                .maxAttempts(3)
                .backoff(Duration.ofMillis(10))
                .onRetry((attempt, failure) -> retried.add(failure));
    }

    @Nested
    @Order(1)
    @DisplayName("@Reset: the connection is reset (a real RST)")
    class WhenConnectionsAreReset {

        @BeforeEach
        void relayToTheService(FaultListener netfault) {
            netfault.proxyTo(service.address());
        }

        @Test
        @Reset(firstConnections = 1)
        void getsTheStockWhenTheFirstConnectionIsReset(FaultListener netfault, Journal journal, TestReporter story) throws Exception {
            int units = clientOf(netfault).build().available("ABC-1");

            assertThat(units).isEqualTo(ABC_1_UNITS);
            assertThat(journal.connections()).hasSize(2);
            assertThat(journal.connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.RST);
            // java.net.http.HttpClient itself repeats an idempotent request once on a reset
            // connection, so our own retry was not even needed:
            assertThat(retried).isEmpty();
            story.publishEntry("netfault reset connection #1; HttpClient repeated the GET on connection #2 by itself;"
                    + " got " + units + " in 1 attempt of ours");
        }

        @Test
        @Reset(firstConnections = 2)
        @DisplayName("retries when HttpClient's own retry is reset too")
        void retriesWhenHttpClientsOwnRetryIsResetToo(FaultListener netfault, Journal journal, TestReporter story) throws Exception {
            int units = clientOf(netfault).build().available("ABC-1");

            assertThat(units).isEqualTo(ABC_1_UNITS);
            assertThat(journal.connections()).extracting(ConnectionRecord::listenerClosure)
                    .startsWith(Closure.RST, Closure.RST).hasSize(3);
            assertThat(retried).hasSize(1);
            story.publishEntry("netfault reset connections #1 and #2 (HttpClient's own retry); attempt 1 failed with "
                    + retried.get(0) + "; the client retried and got " + units + " in 2 attempts");
        }

        @Test
        @Reset
        void givesUpAfterThreeAttemptsWhenEveryConnectionIsReset(FaultListener netfault, Journal journal, TestReporter story) {
            ServiceUnavailableException e = catchThrowableOfType(ServiceUnavailableException.class,
                    () -> clientOf(netfault).build().available("ABC-1"));

            assertThat(e.attempts()).isEqualTo(3);
            assertThat(e).hasCauseInstanceOf(IOException.class).hasMessageContaining("3 attempts failed");
            assertThat(e.getSuppressed()).hasSize(2);
            // Each of our 3 attempts is 2 connections: HttpClient repeats a GET once on a reset.
            assertThat(journal.connections()).hasSize(6).allSatisfy(c -> assertThat(c.listenerClosure()).isEqualTo(Closure.RST));
            story.publishEntry("netfault reset all 6 connections (3 attempts, each retried once by HttpClient);"
                    + " the client gave up with: " + e.getMessage());
        }

        @Test
        @Reset(afterBytesToClient = 180, firstConnections = 1)
        void retriesAResponseCutOffInTheMiddle(FaultListener netfault, Journal journal, TestReporter story) throws Exception {
            int units = clientOf(netfault).build().available("ABC-1");

            // The first answer was cut after 180 bytes: the headers and part of the body. HttpClient
            // noticed (the body is shorter than its Content-Length) instead of returning a partial
            // stock list, and the client retried.
            assertThat(units).isEqualTo(ABC_1_UNITS);
            assertThat(retried).hasSize(1);
            assertThat(retried.get(0)).isExactlyInstanceOf(IOException.class).hasMessageStartingWith("fixed content-length: ");
            ConnectionRecord cut = journal.connection(1).orElseThrow();
            ConnectionRecord whole = journal.connection(2).orElseThrow();
            assertThat(cut.bytesToClient()).isEqualTo(180);
            assertThat(cut.listenerClosure()).isEqualTo(Closure.RST);
            assertThat(whole.bytesToClient()).isGreaterThan(180);
            story.publishEntry("netfault cut the response after 180 of " + whole.bytesToClient() + " bytes with a RST;"
                    + " HttpClient said \"" + retried.get(0).getMessage() + "\"; the client retried and got " + units);
        }
    }

    @Nested
    @Order(2)
    @DisplayName("@SlowAccept: the service accepts late, or its accept queue is full")
    class WhenTheServiceAcceptsSlowly {

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void failsFastWithItsConnectTimeoutWhenTheAcceptQueueIsFull(FaultListener netfault, Journal journal, TestReporter story) {
            InventoryClient client = clientOf(netfault).connectTimeout(Duration.ofMillis(200)).build();

            long start = System.nanoTime();
            ServiceUnavailableException e = catchThrowableOfType(ServiceUnavailableException.class, () -> client.available("ABC-1"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // The kernel dropped every SYN: a real connect timeout, 3 times 200 ms plus the backoff.
            assertThat(e.attempts()).isEqualTo(3);
            assertThat(e.getCause()).isExactlyInstanceOf(HttpConnectTimeoutException.class).hasMessage("HTTP connect timed out");
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(journal.connections()).isEmpty(); // nothing ever got through
            story.publishEntry("the accept queue was full, so the kernel dropped every SYN; 3 connect timeouts of 200 ms;"
                    + " gave up after " + took.toMillis() + " ms with " + e.getCause());
        }

        @Test
        @SlowAccept(delay = 150)
        void getsTheStockWhenTheAcceptIsSlowerThanTheConnectTimeoutButWithinTheRequestTimeout(
                FaultListener netfault, Journal journal, TestReporter story) throws Exception {
            netfault.proxyTo(service.address());
            InventoryClient client = clientOf(netfault)
                    .connectTimeout(Duration.ofMillis(100)) // shorter than the accept delay: it does not matter
                    .requestTimeout(Duration.ofSeconds(2))  // this one has to cover it
                    .build();

            long start = System.nanoTime();
            int units = client.available("ABC-1");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // The kernel completes the handshake before the server accepts: connect() returns at
            // once, and the wait for the accept is part of waiting for the response.
            assertThat(units).isEqualTo(ABC_1_UNITS);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(journal.connections()).hasSize(1);
            assertThat(retried).isEmpty();
            story.publishEntry("the service accepted 150 ms late; the 100 ms connect timeout did not fire (the kernel had"
                    + " completed the handshake); got " + units + " after " + took.toMillis() + " ms");
        }
    }

    @Nested
    @Order(3)
    @DisplayName("@LeakedServerSockets: the service accepts connections and never answers")
    class WhenTheServiceLeaksConnections {

        @Test
        @LeakedServerSockets(limit = 3)
        void givesUpAfterThreeRequestTimeouts(FaultListener netfault, Journal journal, TestReporter story) {
            InventoryClient client = clientOf(netfault).requestTimeout(Duration.ofMillis(250)).build();

            long start = System.nanoTime();
            ServiceUnavailableException e = catchThrowableOfType(ServiceUnavailableException.class, () -> client.available("ABC-1"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.attempts()).isEqualTo(3);
            assertThat(e.getCause()).isExactlyInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
            assertThat(retried).hasSize(2).allSatisfy(f -> assertThat(f).isExactlyInstanceOf(HttpTimeoutException.class));
            assertThat(journal.connections()).hasSize(3).allSatisfy(c -> assertThat(c.leaked()).isTrue());
            story.publishEntry("the service accepted 3 connections and never answered; 3 request timeouts of 250 ms;"
                    + " gave up after " + took.toMillis() + " ms with " + e.getCause());
        }
    }
}
