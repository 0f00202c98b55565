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

@Order(5)
@DisplayName("OkHttpPriceClient: a price client on OkHttp 5, under network faults")
class OkHttpTests {

    final PriceService service = PriceService.start();
    PriceClient prices;

    @BeforeEach
    void connectThroughNetfault(FaultListener listener) {
        listener.proxyTo(service.address());
        prices = new OkHttpPriceClient(listener.uri("http"), Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    @Reset(afterBytesToClient = 10)
    void failsWithAConnectionReset(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectionReset();
        assertThat(listener.journal()).connection(1).sentToClient(10).closedByListenerWith(Closure.RST);
        story.publishEntry("OkHttp threw " + thrown);
    }

    @Test
    @SlowAccept(neverAccept = true, fillAcceptQueue = true)
    void failsWithAConnectTimeout(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectTimeout();
        assertThat(listener.journal()).hasAccepted(0);
        story.publishEntry("OkHttp threw " + thrown);
    }

    @Test
    @Stall
    void failsWithAReadTimeout(TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isReadTimeout();
        story.publishEntry("OkHttp threw " + thrown + (thrown.getCause() == null ? "" : ", caused by " + thrown.getCause()));
    }

    @Test
    @ListenerDown
    void recoversOnceTheServiceIsBack(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));
        assertThatNetworkFailure(thrown).isConnectionRefused();

        listener.up();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prices.centsFor("ABC-1")).isEqualTo(1999));
        story.publishEntry("OkHttp threw " + thrown + " while the service was down, and got the price once it was back");
    }

    @AfterEach
    void stop() {
        prices.close();
        service.close();
    }
}
