package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static dev.netfault.junit.requests.Pooled.faultedOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code HttpURLConnection} with the JDK's keep-alive cache: when a request fails before any answer it
 * sends it once more on a new connection, POST included ({@code sun.net.http.retryPost} is true by
 * default), whether the connection was pooled or fresh. Measured the same on JDK 17 and 25.
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
        HttpURLConnection connection = (HttpURLConnection) listener.uri("http").toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        if (method.equals("POST")) {
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write("order".getBytes(StandardCharsets.US_ASCII));
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
        assertThatThrownBy(() -> call(listener, method)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("call 1 and its retry, then call 2").containsExactly(1L, 2L, 3L);
        assertThat(faultedOf(listener)).containsExactly(true, true, false);
        assertThat(pooled.server.requests()).isEqualTo(1);
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
