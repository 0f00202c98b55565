package dev.netfault.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.AgentRule;
import dev.netfault.Effect;
import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.WebServer;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import dev.netfault.testsupport.Waiting;

/**
 * A real pooled client, {@code java.net.http.HttpClient} (HTTP/1.1, keep-alive), against a JDK
 * {@code HttpServer} through a fault listener: what it does when requests fail, when its pooled
 * connection was closed while idle, and in the stale keep-alive race. Measured the same on JDK 17
 * and 25.
 */
@DisplayName("java.net.http.HttpClient under faults per request")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpClientExchangeTests {

    /** Longer than the faults' idle time of 300 ms. */
    private static final Duration IDLE = Duration.ofMillis(600);

    private final Owned owned = new Owned();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    private WebServer server() {
        return owned.own(WebServer.answering("hello"));
    }

    private FaultListener inFrontOf(WebServer server, Fault fault) {
        return owned.own(FaultListener.inFrontOf(server.address()).name("httpclient").fault(fault).start());
    }

    private String get(URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String post(URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("order"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The pause of an idle pooled connection: nothing moves through the listener for that long. */
    private static void idle(FaultListener listener) {
        Waiting.quietFor(IDLE, listener.journal()::totalBytes);
    }

    private static List<Long> connectionsOf(FaultListener listener) {
        return listener.journal().exchanges().stream().map(Exchange::connection).toList();
    }

    @Test
    void failTwiceThenRecoverHttpClientRetriesAGetOnceByItselfSoOneCallFailsAndTheNextSucceeds() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.reset().onRequest(Requests.first(2)));
        assertThatThrownBy(() -> get(listener.uri("http")))
                .isInstanceOf(IOException.class).hasMessage("HTTP/1.1 header parser received no bytes")
                .rootCause().isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(get(listener.uri("http"))).isEqualTo("hello");
        assertThat(server.requests()).as("requests the server saw").isEqualTo(1);
        List<Exchange> exchanges = listener.journal().exchanges();
        assertThat(exchanges).extracting(e -> e.fired(Effect.Reset.class)).containsExactly(true, true, false);
        assertThat(exchanges).extracting(Exchange::connection).as("each attempt on a new connection").containsExactly(1L, 2L, 3L);
    }

    @Test
    void theStaleKeepAliveRaceWithAFinIsRetriedSilentlyForAGet() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.close().onRequestAfterIdle(Duration.ofMillis(300)));
        assertThat(get(listener.uri("http"))).isEqualTo("hello");
        idle(listener);
        assertThat(get(listener.uri("http"))).as("the application never sees the race").isEqualTo("hello");
        await().until(() -> listener.journal().exchanges().size() == 3);
        assertThat(connectionsOf(listener)).as("request 2 on the pooled connection, its retry on a new one").containsExactly(1L, 1L, 2L);
        assertThat(listener.journal().request(2)).hasValueSatisfying(e -> {
            assertThat(e.fired(Effect.Close.class)).isTrue();
            assertThat(e.responseBytes()).isZero();
        });
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void theStaleKeepAliveRaceWithAnRstIsRetriedSilentlyForAGet() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.reset().onRequestAfterIdle(Duration.ofMillis(300)));
        assertThat(get(listener.uri("http"))).isEqualTo("hello");
        idle(listener);
        assertThat(get(listener.uri("http"))).isEqualTo("hello");
        await().until(() -> listener.journal().exchanges().size() == 3);
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
        assertThat(listener.journal().request(2)).hasValueSatisfying(e -> assertThat(e.fired(Effect.Reset.class)).isTrue());
    }

    @Test
    void theStaleKeepAliveRaceFailsAPostWhichIsNotRetried() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.close().onRequestAfterIdle(Duration.ofMillis(300)));
        assertThat(post(listener.uri("http"))).isEqualTo("hello");
        idle(listener);
        assertThatThrownBy(() -> post(listener.uri("http")))
                .isInstanceOf(IOException.class).hasMessage("HTTP/1.1 header parser received no bytes")
                .rootCause().isInstanceOf(EOFException.class).hasMessage("EOF reached while reading");
        assertThat(server.requests()).as("the lost POST never reached the server").isEqualTo(1);
        assertThat(post(listener.uri("http"))).as("the next call opens a new connection").isEqualTo("hello");
    }

    @Test
    void theStaleKeepAliveRaceWithAnRstFailsAPost() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.reset().onRequestAfterIdle(Duration.ofMillis(300)));
        assertThat(post(listener.uri("http"))).isEqualTo("hello");
        idle(listener);
        // The JDK races its read of the RST against its writes (a POST's headers and body go separately): mostly the
        // reset read, sometimes end of stream (seen on JDK 25), sometimes the reset met by the body's write (seen on 25).
        assertThatThrownBy(() -> post(listener.uri("http")))
                .isInstanceOf(IOException.class).hasMessage("HTTP/1.1 header parser received no bytes")
                .rootCause().satisfiesAnyOf(
                        root -> assertThat(root).isInstanceOf(SocketException.class).hasMessage("Connection reset"),
                        root -> assertThat(root).isInstanceOf(EOFException.class).hasMessage("EOF reached while reading"),
                        root -> assertThat(root).isExactlyInstanceOf(IOException.class).hasMessage("Connection reset by peer"));
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void anIdleTimeoutCloseIsNoticedInThePoolAndTheNextRequestUsesANewConnection() throws Exception {
        WebServer server = server();
        FaultListener listener = inFrontOf(server, Fault.close().afterIdle(Duration.ofMillis(300)));
        assertThat(post(listener.uri("http"))).isEqualTo("hello");
        await().until(() -> listener.journal().connection(1).orElseThrow().closed().isPresent());
        assertThat(post(listener.uri("http"))).as("even a POST: the client evicted the closed connection").isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 2L);
    }

    @Test
    void theRaceReachesTheApplicationsOwnConnectionsInTransparentMode() throws Exception {
        WebServer server = server();
        FaultListener listener = owned.own(FaultListener.inFrontOf(server.address()).name("httpclient-transparent")
                .fault(Fault.close().onRequestAfterIdle(Duration.ofMillis(300))).start());
        URI direct = URI.create("http://localhost:" + server.port() + "/");
        try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + server.port()), listener.address())) {
            assertThat(post(direct)).isEqualTo("hello");
            idle(listener);
            assertThatThrownBy(() -> post(direct)).isInstanceOf(IOException.class).hasMessage("HTTP/1.1 header parser received no bytes");
        }
        assertThat(listener.journal().request(2)).hasValueSatisfying(e -> assertThat(e.fired(Effect.Close.class)).isTrue());
        assertThat(server.requests()).isEqualTo(1);
    }
}
