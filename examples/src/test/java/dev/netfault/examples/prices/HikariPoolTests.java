package dev.netfault.examples.prices;

import static dev.netfault.assertj.NetFaultAssertions.*;
import static org.assertj.core.api.Assertions.*;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.Effect;
import dev.netfault.FaultListener;
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

@Order(7)
@DisplayName("PriceRepository: prices through a HikariCP pool from H2's TCP server, under network faults")
class HikariPoolTests {

    final PriceDatabase database = PriceDatabase.start();    // the real database server, in-process, on loopback
    PriceRepository prices;

    @BeforeEach
    void connectThroughNetfault(FaultListener listener) {
        listener.proxyTo(database.address());
        prices = new PriceRepository(database.urlThrough(listener.address()), "sa", "", Duration.ofSeconds(2));
    }

    @Test
    @Reset
    void failsWithAConnectionReset(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        // HikariCP's "request timed out" carries the last failure of the pool's connects: H2's, caused by the reset.
        assertThatNetworkFailure(thrown).isConnectionReset();
        assertThat(listener.journal()).connection(1).closedByListenerWith(Closure.RST);
        story.publishEntry("HikariCP threw " + thrown + ", caused by " + thrown.getCause());
    }

    @Test
    @SlowAccept(neverAccept = true, fillAcceptQueue = true)
    void failsWithAConnectTimeout(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectTimeout();
        assertThat(listener.journal()).hasAccepted(0);
        story.publishEntry("HikariCP threw " + thrown);
    }

    /**
     * H2's client has no read timeout: a database that stops answering while the pool opens a connection
     * reaches the application as the pool's connection timeout, a connect timeout to the classifier. (On a
     * connection already open, the query would wait for as long as the database is silent.)
     */
    @Test
    @Stall
    void failsWithThePoolsTimeoutWhenTheDatabaseHangs(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));

        assertThatNetworkFailure(thrown).isConnectTimeout();
        assertThat(listener.journal()).connection(1).hadFaultFired(Effect.Stall.class);
        story.publishEntry("HikariCP threw " + thrown);
    }

    @Test
    @Reset
    void recoversOnceTheNetworkHeals(FaultListener listener, TestReporter story) {
        Throwable thrown = catchThrowable(() -> prices.centsFor("ABC-1"));
        assertThatNetworkFailure(thrown).isConnectionReset();

        listener.clearFaults();                                // the network heals: new connections get through
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prices.centsFor("ABC-1")).isEqualTo(1999));
        assertThat(listener.journal()).connection(1).closedByListenerWith(Closure.RST);
        assertThat(listener.journal()).connection(listener.journal().accepted()).hadNoFaultFired();
        story.publishEntry("every connect of the pool was reset, then the pool connected once the resets stopped ("
                + listener.journal().accepted() + " connections)");
    }

    @AfterEach
    void stop() {
        prices.close();
        database.close();
    }
}
