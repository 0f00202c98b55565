package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.junit.DetectSocketLeaks;
import dev.netfault.testsupport.WebServer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * OkHttp 5 connects on its JVM-wide TaskRunner threads (fast fallback), not on the caller's thread:
 * {@code @DetectSocketLeaks} still reports the connection a test leaves open, and not one it closed.
 */
@DisplayName("@DetectSocketLeaks with OkHttp 5")
class OkHttp5LeakTests {

    static final String BODY = "hello from the real server\n";
    static WebServer web;
    /** What the leaking fixture left open, closed by the test that checks the report. */
    static final Map<String, Object> left = new ConcurrentHashMap<>();

    @BeforeAll
    static void startTheServer() {
        web = WebServer.answering(BODY);
    }

    @AfterAll
    static void stopIt() {
        web.close();
    }

    static Response get(OkHttpClient client) throws IOException {
        return client.newCall(new Request.Builder().url(web.url()).build()).execute();
    }

    @AgentKit.Fixture
    @DetectSocketLeaks
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class OkHttp5 {

        /** First, so that OkHttp's task threads may be started inside a tracking test (they outlive it). */
        @Test
        @Order(1)
        void closesItsConnection() throws IOException {
            OkHttpClient client = Clients.okHttp();
            try (Response response = get(client)) {
                assertThat(response.body().string()).isEqualTo(BODY);
            }
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
            assertThat(client.connectionPool().connectionCount()).isZero();
        }

        @Test
        @Order(2)
        void leaksItsConnection() throws IOException {
            OkHttpClient client = Clients.okHttp();
            Response response = get(client); // the body is never read nor closed: the connection stays open
            assertThat(response.code()).isEqualTo(200);
            left.put("response", response);
            left.put("client", client);
        }

        @Test
        @Order(3)
        void closesItsConnectionAfterALeakyTest() throws IOException {
            closesItsConnection();
        }
    }

    @Test
    void reportsTheConnectionALeakyTestLeftOpenOnOkHttpsTaskThreadAndNotOnesClosed() throws IOException {
        assertThat(okhttp3.OkHttp.VERSION).as("OkHttp's version").startsWith("5.");
        left.clear();
        EngineExecutionResults results = AgentKit.run(OkHttp5.class);
        try {
            AgentKit.assertOutcomes(results, 2, 1);
            Throwable failure = AgentKit.failureOf(results, "leaksItsConnection");
            System.out.println("OkHttp 5 leak report: " + failure.getMessage());
            assertThat(failure.getMessage())
                    .startsWith("@DetectSocketLeaks: leaksItsConnection() left 1 socket open:\n  Socket local /127.0.0.1:")
                    .contains(" remote localhost/127.0.0.1:" + web.port())
                    // OkHttp names its TaskRunner thread after the task: the connect of fast fallback
                    .contains(", opened on thread 'OkHttp connect " + web.url() + "...' (a thread the test did not start: a client's own task"
                            + " or pool thread), opened at:\n\t\tat ")
                    .contains("at okhttp3.internal.connection.ConnectPlan.connectSocket(")
                    .contains("at okhttp3.internal.connection.FastFallbackExchangeFinder$launchTcpConnect")
                    // only the client's socket: the in-process server accepted its end on its own thread, which is not the test's
                    .doesNotContain("sun.net.httpserver");
        } finally {
            if (left.get("response") instanceof Response response) {
                response.close();
            }
            if (left.get("client") instanceof OkHttpClient client) {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
            }
        }
        assertThat(web.requests()).isEqualTo(3);
        assertThat(List.copyOf(left.keySet())).containsExactlyInAnyOrder("response", "client");
    }
}
