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
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apache HttpClient 5 classic, with its default retry strategy (an idempotent request that failed
 * with an I/O error is sent once more, at once) and a pooling connection manager, with the default
 * {@code validateAfterInactivity} (2 s, longer than these tests' idle pauses) or 100 ms. Validation
 * checks a pooled connection before it is reused: it sees a connection the server already closed,
 * never the race (the connection is closed only once the request is on its way). Measured the same
 * on JDK 17 and 25.
 */
@DisplayName("Apache HttpClient 5 classic under faults per request")
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ApacheClassicRequestFaultTests {

    private final Pooled pooled = new Pooled();
    private CloseableHttpClient client = client(null);

    private static CloseableHttpClient client(TimeValue validateAfterInactivity) {
        ConnectionConfig.Builder config = ConnectionConfig.custom().setSocketTimeout(Timeout.ofSeconds(10));
        if (validateAfterInactivity != null) {
            config.setValidateAfterInactivity(validateAfterInactivity);
        }
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDefaultConnectionConfig(config.build()).build())
                .build();
    }

    private void validatingAfter(String validate) throws Exception {
        if (!validate.equals("default")) {
            client.close();
            client = client(TimeValue.ofMilliseconds(Long.parseLong(validate)));
        }
    }

    @AfterEach
    void release() throws Exception {
        client.close();
        pooled.close();
    }

    private String call(FaultListener listener, String method) throws Exception {
        HttpUriRequestBase request = method.equals("POST") ? new HttpPost(listener.uri("http")) : new HttpGet(listener.uri("http"));
        if (method.equals("POST")) {
            request.setEntity(new StringEntity("order"));
        }
        return client.execute(request, response -> EntityUtils.toString(response.getEntity()));
    }

    @Test
    void theNthRequestResetIsRetriedOnceAtOnceForAGet() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, "GET")).isEqualTo("hello");
        assertThat(call(listener, "GET")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
    }

    @Test
    void theNthRequestResetFailsAPostWithTheResetAndThePoolDropsTheConnection() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.nth(2)));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThatThrownBy(() -> call(listener, "POST")).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("no retry; the next call on a new connection").containsExactly(1L, 1L, 2L);
        assertThat(pooled.server.requests()).isEqualTo(2);
    }

    @Test
    void failTwiceThenRecoverAGetFailsOnceItsRetryWasTheSecondRequest() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        assertThatThrownBy(() -> call(listener, "GET")).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(call(listener, "GET")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("call 1 and its retry, then call 2").containsExactly(1L, 2L, 3L);
        assertThat(faultedOf(listener)).containsExactly(true, true, false);
    }

    @Test
    void failTwiceThenRecoverAPostFailsTwice() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequest(Requests.first(2)));
        for (int call = 1; call <= 2; call++) {
            assertThatThrownBy(() -> call(listener, "POST")).as("call %d", call)
                    .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 2L, 3L);
    }

    @ParameterizedTest(name = "validateAfterInactivity {0}, {1}")
    @CsvSource({"default, FIN", "default, RST", "100, FIN", "100, RST"})
    void theStaleKeepAliveRaceIsRetriedSilentlyForAGetValidatedOrNot(String validate, String closure) throws Exception {
        validatingAfter(validate);
        FaultListener listener = pooled.inFrontOf((closure.equals("FIN") ? Fault.close() : Fault.reset()).onRequestAfterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, "GET")).isEqualTo("hello");
        Pooled.idle(listener);
        assertThat(call(listener, "GET")).isEqualTo("hello");
        await().until(() -> listener.journal().exchanges().size() == 3);
        assertThat(connectionsOf(listener)).as("validation passed: the connection was open until the request").containsExactly(1L, 1L, 2L);
        assertThat(faultedOf(listener)).containsExactly(false, true, false);
    }

    @ParameterizedTest(name = "validateAfterInactivity {0}")
    @ValueSource(strings = {"default", "100"})
    void theStaleKeepAliveRaceWithAFinFailsAPostWithNoHttpResponseValidatedOrNot(String validate) throws Exception {
        validatingAfter(validate);
        FaultListener listener = pooled.inFrontOf(Fault.close().onRequestAfterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        Pooled.idle(listener);
        assertThatThrownBy(() -> call(listener, "POST")).isExactlyInstanceOf(NoHttpResponseException.class)
                .hasMessage(listener.address().getHostString() + ":" + listener.port() + " failed to respond");
        assertThat(pooled.server.requests()).isEqualTo(1);
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).containsExactly(1L, 1L, 2L);
    }

    @ParameterizedTest(name = "validateAfterInactivity {0}")
    @ValueSource(strings = {"default", "100"})
    void theStaleKeepAliveRaceWithAnRstFailsAPostWithTheReset(String validate) throws Exception {
        validatingAfter(validate);
        FaultListener listener = pooled.inFrontOf(Fault.reset().onRequestAfterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        Pooled.idle(listener);
        assertThatThrownBy(() -> call(listener, "POST")).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(pooled.server.requests()).isEqualTo(1);
    }

    @Test
    void aKeepAliveTimeoutFailsAPostWithNoHttpResponseWhenThePoolDoesNotValidateInTime() throws Exception {
        FaultListener listener = pooled.inFrontOf(Fault.close().afterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        await().until(() -> listener.journal().faultsFired() == 1); // the FIN sent
        assertThatThrownBy(() -> call(listener, "POST")).as("the default validateAfterInactivity, 2 s, is longer than the idle time")
                .isExactlyInstanceOf(NoHttpResponseException.class).hasMessageEndingWith(" failed to respond");
        assertThat(pooled.server.requests()).isEqualTo(1);
    }

    @Test
    void aKeepAliveTimeoutIsNoticedByValidationAfterInactivityAndAPostGoesOnANewConnection() throws Exception {
        validatingAfter("100");
        FaultListener listener = pooled.inFrontOf(Fault.close().afterIdle(Pooled.IDLE_FAULT));
        assertThat(call(listener, "POST")).isEqualTo("hello");
        await().until(() -> listener.journal().faultsFired() == 1); // the FIN sent
        assertThat(call(listener, "POST")).isEqualTo("hello");
        assertThat(connectionsOf(listener)).as("the stale connection evicted before use").containsExactly(1L, 2L);
        assertThat(pooled.server.requests()).isEqualTo(2);
    }
}
