package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static dev.netfault.junit.requests.Pooled.faultedOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import java.io.EOFException;
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

    /**
     * A POST goes out as two writes, its headers and its body. The fault holds the first and resets the
     * connection; the client reads the reset, or its body write meets it first ("Connection reset by
     * peer", on its own or under the header parser's message): all three seen on JDK 17. Rarely the body
     * write takes the reset's error (Linux reports a socket error once) and the read that follows finds
     * end of stream: the header parser's message over {@code EOFException} (seen once in CI, JDK 17).
     */
    private static void assertPostReset(Throwable thrown) {
        assertThat(thrown).isExactlyInstanceOf(IOException.class)
                .satisfiesAnyOf(t -> assertThat(t).hasMessage("HTTP/1.1 header parser received no bytes"),
                        t -> assertThat(t).hasMessage("Connection reset by peer").hasNoCause());
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root).satisfiesAnyOf(
                read -> assertThat(read).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset"),
                write -> assertThat(write).isExactlyInstanceOf(IOException.class).hasMessage("Connection reset by peer"),
                consumed -> assertThat(consumed).isExactlyInstanceOf(EOFException.class).hasMessage("EOF reached while reading"));
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
        assertPostReset(catchThrowable(() -> call(listener, "POST")));
        assertThat(call(listener, "POST")).as("the next call on a new connection").isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
    }

    @Test
    void failTwiceThenRecoverAPostFailsTwice() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        for (int call = 1; call <= 2; call++) {
            assertPostReset(catchThrowable(() -> call(listener, "POST")));
        }
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 2L, 3L);
        assertThat(pooled.server.requests()).isEqualTo(1);
    }
}
