package dev.netfault.examples.prices;

import static dev.netfault.assertj.NetFaultAssertions.*;
import static org.assertj.core.api.Assertions.*;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.FaultListener;
import dev.netfault.junit.ListenerDown;
import dev.netfault.junit.Reset;
import dev.netfault.junit.SlowAccept;
import dev.netfault.junit.Stall;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

@Order(6)
@DisplayName("ApachePriceClient: a price client on Apache HttpClient 5 (classic) with a retry policy, under network faults")
class ApacheHttpClientTests {

    final PriceService service = PriceService.start();
    PriceClient prices;

    @BeforeEach
    void connectThroughNetfault(FaultListener listener) {
        listener.proxyTo(service.address());
        prices = new ApachePriceClient(listener.uri("http"), Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    @Reset(afterBytesToClient = 10)
    void failsWithAConnectionReset(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectionReset();
        // the client's retry policy sent the GET once more, 100 ms later: both connections were reset
        assertThat(listener.journal()).hasAccepted(2).connection(2).sentToClient(10).closedByListenerWith(Closure.RST);
        story.publishEntry("HttpClient 5 retried once, then threw " + thrown);
    }

    @Test
    @SlowAccept(neverAccept = true, fillAcceptQueue = true)
    void failsWithAConnectTimeout(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectTimeout();
        assertThat(listener.journal()).hasAccepted(0);
        story.publishEntry("HttpClient 5 threw " + thrown);
    }

    @Test
    @Stall
    void failsWithAReadTimeout(TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isReadTimeout();
        story.publishEntry("HttpClient 5 threw " + thrown + (thrown.getCause() == null ? "" : ", caused by " + thrown.getCause()));
    }

    @Test
    @ListenerDown
    void recoversOnceTheServiceIsBack(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));
        assertThatNetworkFailure(thrown).isConnectionRefused();

        listener.up();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prices.centsFor("ABC-1")).isEqualTo(1999));
        story.publishEntry("HttpClient 5 threw " + thrown + " while the service was down, and got the price once it was back");
    }

    @AfterEach
    void stop() {
        prices.close();
        service.close();
    }
}
