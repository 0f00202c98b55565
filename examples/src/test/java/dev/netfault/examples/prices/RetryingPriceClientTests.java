package dev.netfault.examples.prices;

import static dev.netfault.assertj.NetFaultAssertions.*;
import static org.assertj.core.api.Assertions.*;
import static org.awaitility.Awaitility.await;

import dev.netfault.Exchange;
import dev.netfault.FaultListener;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * A retry policy of the application's own ({@link RetryingPriceClient}: a GET asked again up to twice
 * after a connection failure) around OkHttp with its own silent retry off, against faults per request
 * on the test's {@link FaultListener} in front of the price service. The same faults in code:
 * {@code Fault.reset().onRequest(Requests.first(2))} and {@code Fault.close().onRequestAfterIdle(Duration.ofMillis(KEEP_ALIVE_MILLIS))}.
 */
@Order(8)
@DisplayName("RetryingPriceClient: a price client with a retry policy, under faults per request")
class RetryingPriceClientTests {

    /** A pooled connection idle this long is cut as the next request starts on it: a keep-alive timeout that races the client. */
    static final long KEEP_ALIVE_MILLIS = 300;

    final PriceService service = PriceService.start();
    FaultListener listener;
    PriceClient plain;
    PriceClient retrying;

    /** netfault's listener in front of the service, with the test's fault; the clients talk to the listener. */
    @BeforeEach
    void connectThroughNetfault(FaultListener listener) {
        this.listener = listener;
        listener.proxyTo(service.address());
        plain = OkHttpPriceClient.withoutRetries(listener.uri("http"), Duration.ofSeconds(1), Duration.ofSeconds(2));
        retrying = new RetryingPriceClient(OkHttpPriceClient.withoutRetries(listener.uri("http"), Duration.ofSeconds(1),
                Duration.ofSeconds(2)), 2);
    }

    @Test
    @Reset(firstRequests = 2)                                      // fail twice, then serve
    void recoversWhenTheFirstTwoRequestsFail(TestReporter story) throws Exception {
        assertThat(retrying.centsFor("ABC-1")).isEqualTo(1999);

        assertThat(listener.journal().exchanges()).as("three requests, each on its own connection")
                .extracting(Exchange::connection).containsExactly(1L, 2L, 3L);
        assertThat(listener.journal().faultsFired()).isEqualTo(2);
        story.publishEntry("two resets, then the price on the third attempt: "
                + listener.journal().exchanges().stream().map(Exchange::describe).toList());
    }

    @Test
    @Reset(firstRequests = 2)
    void withoutItsRetriesTheFirstFailureReachesTheApplication(TestReporter story) {
        Throwable thrown = catchThrowable(() -> plain.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectionReset();
        assertThat(listener.journal().exchanges()).hasSize(1);
        story.publishEntry("OkHttp without retries threw " + thrown);
    }

    @Test
    @Close(idleBeforeRequest = KEEP_ALIVE_MILLIS)                  // the server closes the idle connection just as it is reused
    void survivesTheStaleKeepAliveRace(TestReporter story) throws Exception {
        assertThat(retrying.centsFor("ABC-1")).isEqualTo(1999);
        idleLongerThanTheKeepAlive();

        assertThat(retrying.centsFor("ABC-1")).isEqualTo(1999);

        assertThat(listener.journal().exchanges()).as("request 2 lost on the pooled connection, its retry on a new one")
                .extracting(Exchange::connection, e -> e.faults().isEmpty())
                .containsExactly(tuple(1L, true), tuple(1L, false), tuple(2L, true));
        story.publishEntry("the request on the stale connection was lost; asked again on a new connection");
    }

    @Test
    @Close(idleBeforeRequest = KEEP_ALIVE_MILLIS)
    void withoutItsRetriesTheStaleKeepAliveRaceReachesTheApplication(TestReporter story) throws Exception {
        assertThat(plain.centsFor("ABC-1")).isEqualTo(1999);
        idleLongerThanTheKeepAlive();

        Throwable thrown = catchThrowable(() -> plain.centsFor("ABC-1"));

        assertThat(thrown).isExactlyInstanceOf(java.io.IOException.class).hasMessageStartingWith("unexpected end of stream on ");
        assertThatNetworkFailure(thrown).isTruncated();
        story.publishEntry("OkHttp without retries threw " + thrown + (thrown.getCause() == null ? "" : ", caused by " + thrown.getCause()));
    }

    /** The pooled connection idles longer than the keep-alive: no byte moves through the listener for that long. */
    private void idleLongerThanTheKeepAlive() {
        long before = listener.journal().totalBytes();
        await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(KEEP_ALIVE_MILLIS + 150))
                .until(() -> listener.journal().totalBytes() == before);
    }

    @AfterEach
    void stop() {
        plain.close();
        retrying.close();
        service.close();
    }
}
