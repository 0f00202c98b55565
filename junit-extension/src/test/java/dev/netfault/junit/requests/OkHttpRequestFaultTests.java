package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static dev.netfault.junit.requests.Pooled.faultedOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import java.net.SocketException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OkHttp 5 ({@code retryOnConnectionFailure} on, its default) against faults per request: a request
 * lost on a <em>pooled</em> connection is sent again on a new one, POST included; a request lost on a
 * fresh connection reaches the application. Measured the same on JDK 17 and 25.
 */
@DisplayName("OkHttp under faults per request")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OkHttpRequestFaultTests {

    private final Pooled pooled = new Pooled();
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void release() throws Exception {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        pooled.close();
    }

    private String call(FaultListener listener, String method) throws Exception {
        Request.Builder request = new Request.Builder().url(listener.uri("http").toString());
        if (method.equals("POST")) {
            request.post(RequestBody.create("order", MediaType.get("text/plain")));
        }
        try (Response response = client.newCall(request.build()).execute()) {
            return response.body().string();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void theNthRequestResetOnAPooledConnectionIsSentAgainOnANewOneSilently(String method) throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(call(listener, method)).as("the application never sees request 2's reset").isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("request 2 cut on connection 1, its retry on connection 2").containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
        assertThat(pooled.server.requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void failTwiceThenRecoverEachFailureOnAFreshConnectionReachesTheApplication(String method) throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        for (int call = 1; call <= 2; call++) {
            assertThatThrownBy(() -> call(listener, method)).as("call %d", call)
                    .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset").hasNoCause();
        }
        assertThat(call(listener, method)).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("no retry on a fresh connection: one request per call").containsExactly(1L, 2L, 3L);
        assertThat(faultedOf(listener)).containsExactly(true, true, false);
        assertThat(pooled.server.requests()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"GET, FIN", "GET, RST", "POST, FIN", "POST, RST"})
    void theStaleKeepAliveRaceIsRetriedSilentlyOnANewConnection(String method, String closure) throws Exception {
        Fault fault = closure.equals("FIN") ? Fault.close() : Fault.reset();
        FaultListener listener = pooled.inFrontOf(fault.onRequestAfterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, method)).isEqualTo("hello");
        Pooled.idle(listener);
        assertThat(call(listener, method)).as("the application never sees the race").isEqualTo("hello");
        await().until(() -> listener.journal().exchanges().size() == 3);
        assertThat(connectionsOf(listener)).as("request 2 lost on the pooled connection, its retry on a new one").containsExactly(1L, 1L, 2L);
        assertThat(listener.journal().request(2)).hasValueSatisfying(e -> assertThat(e.responseBytes()).isZero());
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
        assertThat(pooled.server.requests()).as("the lost request never reached the server").isEqualTo(2);
    }
}
