package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static dev.netfault.junit.requests.Pooled.faultedOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code HttpURLConnection} with the JDK's keep-alive cache: when a request fails before any answer it
 * sends it once more on a new connection, POST included ({@code sun.net.http.retryPost} is true by
 * default), whether the connection was pooled or fresh. Measured the same on JDK 17 and 25.
 *
 * <p>It has two such retries, one per layer: {@code HttpURLConnection} sends a request again on a new
 * connection when writing it failed, and that connection's {@code HttpClient} sends it once more when reading
 * the answer failed. The request's headers and a POST's body are two writes, so a reset that arrives between
 * them fails the write, and a POST can go out three times.
 */
@DisplayName("HttpURLConnection keep-alive under faults per request")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpUrlConnectionRequestFaultTests {

    private final Pooled pooled = new Pooled();

    @AfterEach
    void release() throws Exception {
        pooled.close();
    }

    /** Reads the whole answer and closes its stream, which returns the connection to the keep-alive cache. */
    private static String call(FaultListener listener, String method) throws Exception {
        return call(listener, method, "order".getBytes(StandardCharsets.US_ASCII));
    }

    private static String call(FaultListener listener, String method, byte[] body) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) listener.uri("http").toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        if (method.equals("POST")) {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void theNthRequestResetIsSentAgainOnANewConnectionSilently(String method) throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
        assertThat(pooled.server.requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void failTwiceThenRecoverTheFirstCallFailsOnceItsRetryWasTheSecondRequest(String method) throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        Throwable failure = catchThrowable(() -> call(listener, method));
        if (failure == null) {
            // Seen once in CI (JDK 25, POST): the first reset reached the client between the headers' write and the
            // body's, so the write failed and HttpURLConnection sent the POST again; that connection's read retry
            // sent the third. thePostWhoseBodyMeetsAResetIsSentAgainAndRetriedOnceMore forces this path.
            assertThat(method).as("only a POST's body is a second write").isEqualTo("POST");
            assertThat(connectionsOf(listener)).as("call 1, sent three times").containsExactly(1L, 2L, 3L);
            assertThat(faultedOf(listener)).containsExactly(true, true, false);
            return;
        }
        assertThat(failure).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("call 1 and its retry, then call 2").containsExactly(1L, 2L, 3L);
        assertThat(faultedOf(listener)).containsExactly(true, true, false);
        assertThat(pooled.server.requests()).isEqualTo(1);
    }

    @Test
    void thePostWhoseBodyMeetsAResetIsSentAgainAndRetriedOnceMore() throws Exception {
        // 32 MiB cannot all sit in loopback's socket buffers, so the reset as request 1 starts fails the body's write.
        // Request 2 reaches the server whole and its answer is reset: a failed read.
        FaultListener listener = pooled.inFrontOf(
                Fault.reset().onRequest(Requests.nth(1)), Fault.reset().afterResponse(Requests.nth(2), 0));
        assertThat(call(listener, "POST", new byte[32 * 1024 * 1024])).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("one call, three connections").containsExactly(1L, 2L, 3L);
        assertThat(faultedOf(listener)).containsExactly(true, true, false);
        assertThat(pooled.server.requests()).as("the server took the POST twice").isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET, FIN", "GET, RST", "POST, FIN", "POST, RST"})
    void theStaleKeepAliveRaceIsRetriedSilentlyOnANewConnection(String method, String closure) throws Exception {
        FaultListener listener = pooled.inFrontOf((closure.equals("FIN") ? Fault.close() : Fault.reset()).onRequestAfterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, method)).isEqualTo("hello");
        Pooled.idle(listener);
        assertThat(call(listener, method)).isEqualTo("hello");
        await().until(() -> listener.journal().exchanges().size() == 3);
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
        assertThat(pooled.server.requests()).isEqualTo(2);
    }
}
