package dev.netfault.junit.classify;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import dev.netfault.testsupport.WebServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** OkHttp 5 under real faults: what it threw, classified (printed for the README's table). */
@DisplayName("NetworkFailure.classify on what OkHttp 5 threw")
class OkHttp5ClassificationTests {

    static final String BODY = "x".repeat(20_000);
    static final Duration SHORT = Duration.ofMillis(500);
    static WebServer web;

    OkHttpClient client;
    FaultListener listener;

    @BeforeAll
    static void start() {
        web = WebServer.answering(BODY);
    }

    @AfterAll
    static void stop() {
        web.close();
    }

    /**
     * Listeners here reset what they still relay when closed ({@code resetConnectionsOnClose}): a connection OkHttp keeps
     * after a read timeout would otherwise live on as a pass-through, and its listener thread with it, after the test.
     */
    @AfterEach
    void close() {
        if (client != null) {
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
        }
        if (listener != null) {
            listener.close();
        }
    }

    String get(InetSocketAddress address) throws Exception {
        client = new OkHttpClient.Builder().connectTimeout(SHORT).readTimeout(SHORT).retryOnConnectionFailure(false).build();
        try (Response response = client.newCall(new Request.Builder().url("http://localhost:" + address.getPort() + "/").build()).execute()) {
            return response.body().string();
        }
    }

    /** The classification netfault-assertj checks; on a mismatch its message shows the classifier's whole chain. */
    static void assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThatNetworkFailure(thrown).isOneOf(expected);
    }

    /** CONNECTION_RESET, unless OkHttp's write consumed the reset and its read saw only end of stream (nothing mentions a reset): TRUNCATED. */
    @Test
    void reset() {
        listener = FaultListener.standalone().fault(Fault.reset()).resetConnectionsOnClose().start();
        Throwable thrown = catchThrowable(() -> get(listener.address()));
        boolean resetInChain = NetworkFailure.classify(thrown).chain().stream()
                .anyMatch(t -> String.valueOf(t.getMessage()).contains("reset"));
        assertClassified(thrown, resetInChain ? CONNECTION_RESET : TRUNCATED);
    }

    @Test
    void readTimeout() {
        listener = FaultListener.inFrontOf(web.address()).fault(Fault.stall()).resetConnectionsOnClose().start();
        assertClassified(catchThrowable(() -> get(listener.address())), READ_TIMEOUT);
    }

    @Test
    void connectTimeout() {
        listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().resetConnectionsOnClose().start();
        assertClassified(catchThrowable(() -> get(listener.address())), CONNECT_TIMEOUT);
    }

    @Test
    void refused() throws Exception {
        InetSocketAddress nothing;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothing = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        InetSocketAddress address = nothing;
        assertClassified(catchThrowable(() -> get(address)), CONNECTION_REFUSED);
    }

    @Test
    void noResponse() {
        listener = FaultListener.inFrontOf(web.address()).fault(Fault.close().afterBytes(Direction.TO_CLIENT, 0)).resetConnectionsOnClose().start();
        assertClassified(catchThrowable(() -> get(listener.address())), TRUNCATED);
    }

    @Test
    void bodyCut() {
        listener = FaultListener.inFrontOf(web.address()).fault(Fault.close().afterBytes(Direction.TO_CLIENT, 1000)).resetConnectionsOnClose().start();
        assertClassified(catchThrowable(() -> get(listener.address())), TRUNCATED);
    }
}
