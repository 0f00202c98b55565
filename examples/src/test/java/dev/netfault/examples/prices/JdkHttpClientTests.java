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

/** The README's first example: keep the two in step (ReadmeTests checks that every line of it is here, in order). */
@Order(4)
@DisplayName("JdkPriceClient: a price client on java.net.http.HttpClient, under network faults")
class JdkHttpClientTests {

    final PriceService service = PriceService.start();       // the real HTTP server, in-process, on loopback
    PriceClient prices;

    @BeforeEach
    void connectThroughNetfault(FaultListener listener) {
        listener.proxyTo(service.address());                  // netfault's listener relays to the service
        prices = new JdkPriceClient(listener.uri("http"),     // and the client talks to the listener,
                Duration.ofSeconds(1), Duration.ofSeconds(2)); // with a 1 s connect and a 2 s request timeout
    }

    @Test
    @Reset(afterBytesToClient = 10)                     // 10 bytes of the answer, then a real RST
    void failsWithAConnectionReset(FaultListener listener) {
        assertThatNetworkFailure(catchThrowable(() -> prices.centsFor("ABC-1"))).isConnectionReset();
        assertThat(listener.journal()).connection(1).sentToClient(10).closedByListenerWith(Closure.RST);
    }

    @Test
    @SlowAccept(neverAccept = true, fillAcceptQueue = true) // the accept queue is full: the kernel drops the SYNs
    void failsWithAConnectTimeout(FaultListener listener) {
        assertThatNetworkFailure(catchThrowable(() -> prices.centsFor("ABC-1"))).isConnectTimeout();
        assertThat(listener.journal()).hasAccepted(0);
    }

    @Test
    @Stall                                                    // connected, then silence: a hung server
    void failsWithAReadTimeout() {
        assertThatNetworkFailure(catchThrowable(() -> prices.centsFor("ABC-1"))).isReadTimeout();
    }

    @Test
    @ListenerDown                                             // the service is down
    void recoversOnceTheServiceIsBack(FaultListener listener) {
        assertThatNetworkFailure(catchThrowable(() -> prices.centsFor("ABC-1"))).isConnectionRefused();

        listener.up();                                        // and back
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prices.centsFor("ABC-1")).isEqualTo(1999));
    }

    @AfterEach
    void stop() {
        prices.close();
        service.close();
    }
}
