package dev.netfault.junit.classify;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import dev.netfault.testsupport.WebServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Apache HttpClient 5, classic and async, under real faults (retries off, so each failure is the first one): what it
 * threw, with its cause chain, classified (printed for the README's table).
 */
@DisplayName("NetworkFailure.classify on what Apache HttpClient 5 threw")
class ApacheHttpClient5ClassificationTests {

    static final String BODY = "x".repeat(20_000);
    static final Timeout SHORT = Timeout.ofMilliseconds(500);
    static WebServer web;

    FaultListener listener;

    @BeforeAll
    static void start() {
        web = WebServer.answering(BODY);
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    @AfterEach
    void closeListener() {
        if (listener != null) {
            listener.close();
        }
    }

    static ConnectionConfig timeouts() {
        return ConnectionConfig.custom().setConnectTimeout(SHORT).setSocketTimeout(SHORT).build();
    }

    /** {@return the failure as "class: message <- class: message ...", after asserting its classification} */
    static String assertClassified(String client, Throwable thrown, NetworkFailure expected) {
        assertThat(thrown).as("the request failed").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            text.append(text.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        System.out.println("[classify] Apache HttpClient 5 " + client + ": " + text + " => " + NetworkFailure.classify(thrown).failure());
        assertThatNetworkFailure(thrown).isOneOf(expected);
        return text.toString();
    }

    /** CONNECTION_RESET, unless the client's write consumed the reset and its read saw only end of stream (nothing says reset). */
    static void assertResetOrConsumedReset(String client, Throwable thrown) {
        boolean resetInChain = NetworkFailure.classify(thrown).chain().stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("reset"));
        assertClassified(client, thrown, resetInChain ? CONNECTION_RESET : TRUNCATED);
    }

    InetSocketAddress resetting() {
        listener = FaultListener.standalone().name("apache-reset").fault(Fault.reset()).resetConnectionsOnClose().start();
        return listener.address();
    }

    InetSocketAddress stalledWeb() {
        listener = FaultListener.inFrontOf(web.address()).name("apache-stall").fault(Fault.stall()).resetConnectionsOnClose().start();
        return listener.address();
    }

    InetSocketAddress fullQueue() {
        listener = FaultListener.standalone().name("apache-full").neverAccept().backlog(1).fillAcceptQueue().start();
        return listener.address();
    }

    InetSocketAddress cutWeb(long bytes) {
        listener = FaultListener.inFrontOf(web.address()).name("apache-cut")
                .fault(Fault.close().afterBytes(Direction.TO_CLIENT, bytes)).resetConnectionsOnClose().start();
        return listener.address();
    }

    static InetSocketAddress unused() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
    }

    static String url(InetSocketAddress address) {
        return "http://localhost:" + address.getPort() + "/";
    }

    @Nested
    @DisplayName("classic")
    class Classic {

        static String get(InetSocketAddress address) throws Exception {
            try (CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDefaultConnectionConfig(timeouts()).build())
                    .build()) {
                return client.execute(new HttpGet(url(address)), response -> EntityUtils.toString(response.getEntity()));
            }
        }

        @Test
        void reset() {
            assertResetOrConsumedReset("classic", catchThrowable(() -> get(resetting())));
        }

        @Test
        void readTimeout() {
            assertThat(assertClassified("classic", catchThrowable(() -> get(stalledWeb())), READ_TIMEOUT))
                    .isEqualTo("java.net.SocketTimeoutException: Read timed out");
        }

        @Test
        void connectTimeout() {
            assertThat(assertClassified("classic", catchThrowable(() -> get(fullQueue())), CONNECT_TIMEOUT))
                    .startsWith("org.apache.hc.client5.http.ConnectTimeoutException: Connect to http://localhost:").endsWith("failed: Connect timed out");
        }

        @Test
        void refused() throws Exception {
            InetSocketAddress nothing = unused();
            assertThat(assertClassified("classic", catchThrowable(() -> get(nothing)), CONNECTION_REFUSED))
                    .startsWith("org.apache.hc.client5.http.HttpHostConnectException: Connect to http://localhost:").endsWith("failed: Connection refused");
        }

        @Test
        void noResponse() {
            assertThat(assertClassified("classic", catchThrowable(() -> get(cutWeb(0))), TRUNCATED))
                    .isEqualTo("org.apache.hc.core5.http.NoHttpResponseException: The target server failed to respond");
        }

        @Test
        void bodyCut() {
            assertThat(assertClassified("classic", catchThrowable(() -> get(cutWeb(1000))), TRUNCATED))
                    .startsWith("org.apache.hc.core5.http.ConnectionClosedException: Premature end of Content-Length delimited message body");
        }
    }

    @Nested
    @DisplayName("async")
    class Async {

        static String get(InetSocketAddress address) throws Exception {
            try (CloseableHttpAsyncClient client = HttpAsyncClients.custom().disableAutomaticRetries()
                    .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setDefaultConnectionConfig(timeouts()).build())
                    .build()) {
                client.start();
                try {
                    SimpleHttpResponse response = client.execute(SimpleRequestBuilder.get(url(address)).build(), null).get(10, TimeUnit.SECONDS);
                    return response.getBodyText();
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                } finally {
                    client.close(CloseMode.IMMEDIATE);
                }
            }
        }

        @Test
        void reset() {
            assertResetOrConsumedReset("async", catchThrowable(() -> get(resetting())));
        }

        @Test
        void readTimeout() {
            // the IO reactor's socket timeout, worded as its Timeout
            assertThat(assertClassified("async", catchThrowable(() -> get(stalledWeb())), READ_TIMEOUT))
                    .isEqualTo("java.net.SocketTimeoutException: 500 MILLISECONDS");
        }

        @Test
        void connectTimeout() {
            assertThat(assertClassified("async", catchThrowable(() -> get(fullQueue())), CONNECT_TIMEOUT))
                    .startsWith("org.apache.hc.client5.http.ConnectTimeoutException: Connect to http://localhost:").endsWith("failed: 500 MILLISECONDS");
        }

        @Test
        void refused() throws Exception {
            InetSocketAddress nothing = unused();
            assertThat(assertClassified("async", catchThrowable(() -> get(nothing)), CONNECTION_REFUSED))
                    .startsWith("org.apache.hc.client5.http.HttpHostConnectException: Connect to http://localhost:").endsWith("failed: Connection refused");
        }

        @Test
        void noResponse() {
            assertThat(assertClassified("async", catchThrowable(() -> get(cutWeb(0))), TRUNCATED))
                    .isEqualTo("org.apache.hc.core5.http.ConnectionClosedException: Connection closed by peer");
        }

        @Test
        void bodyCut() {
            assertThat(assertClassified("async", catchThrowable(() -> get(cutWeb(1000))), TRUNCATED))
                    .startsWith("org.apache.hc.core5.http.ConnectionClosedException: Premature end of Content-Length delimited message body");
        }
    }
}
