package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static dev.netfault.junit.requests.Pooled.faultedOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import java.io.IOException;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java.net.http.HttpClient} (HTTP/1.1) and the Nth request, and "fail twice" for a POST; the
 * stale keep-alive race and "fail twice" for a GET are in core's {@code HttpClientExchangeTests}.
 * Measured the same on JDK 17 and 25.
 */
@DisplayName("java.net.http.HttpClient under faults per request")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JdkHttpClientRequestFaultTests {

    private final Pooled pooled = new Pooled();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void release() throws Exception {
        pooled.close();
    }

    private String call(FaultListener listener, String method) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(listener.uri("http")).timeout(Duration.ofSeconds(10));
        if (method.equals("POST")) {
            request.POST(HttpRequest.BodyPublishers.ofString("order"));
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theNthRequestResetIsRetriedSilentlyForAGet() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, "GET")).isEqualTo("hello");
        assertThat(call(listener, "GET")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
    }

    @Test
    void theNthRequestResetFailsAPost() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThatThrownBy(() -> call(listener, "POST")).isExactlyInstanceOf(IOException.class)
                .hasMessage("HTTP/1.1 header parser received no bytes")
                .rootCause().isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(call(listener, "POST")).as("the next call on a new connection").isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
    }

    @Test
    void failTwiceThenRecoverAPostFailsTwice() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        for (int call = 1; call <= 2; call++) {
            assertThatThrownBy(() -> call(listener, "POST")).as("call %d", call).isExactlyInstanceOf(IOException.class)
                    .hasMessage("HTTP/1.1 header parser received no bytes")
                    .rootCause().isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 2L, 3L);
        assertThat(pooled.server.requests()).isEqualTo(1);
    }
}
