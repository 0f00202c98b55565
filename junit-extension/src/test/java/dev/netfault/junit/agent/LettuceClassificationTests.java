package dev.netfault.junit.agent;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.NetworkFailure.UNKNOWN_HOST;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.netfault.AgentRule;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import dev.netfault.SocketAgent;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lettuce 7 (Netty epoll, Netty's DNS resolver) against {@link LettuceTests.FakeRedis} under real faults: what it threw,
 * with its cause chain, classified (printed for the README's table). Reconnects are off, so a broken connection fails its
 * commands instead of queueing them for a reconnect.
 */
@DisplayName("NetworkFailure.classify on what Lettuce threw")
class LettuceClassificationTests {

    static final Duration SHORT = Duration.ofMillis(500);

    static LettuceTests.FakeRedis redis;
    static ClientResources resources;

    RedisClient client;
    FaultListener listener;

    @BeforeAll
    static void start() throws IOException {
        SocketAgent.install();
        redis = new LettuceTests.FakeRedis();
        resources = DefaultClientResources.create();
    }

    @AfterAll
    static void stop() throws Exception {
        resources.shutdown(0, 5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.shutdown(0, 5, TimeUnit.SECONDS);
        }
        if (listener != null) {
            listener.close();
        }
    }

    RedisClient client(String host, int port) {
        client = RedisClient.create(resources, RedisURI.builder().withHost(host).withPort(port).withTimeout(SHORT).build());
        client.setOptions(ClientOptions.builder().autoReconnect(false)
                .socketOptions(SocketOptions.builder().connectTimeout(SHORT).build()).build());
        return client;
    }

    RedisClient client(InetSocketAddress address) {
        return client("127.0.0.1", address.getPort());
    }

    /** {@return the failure as "class: message <- class: message ...", after asserting its classification} */
    static String assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThat(thrown).as("Lettuce failed").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            text.append(text.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        System.out.println("[classify] Lettuce: " + text + " => " + NetworkFailure.classify(thrown).failure());
        assertThatNetworkFailure(thrown).isOneOf(expected);
        return text.toString();
    }

    /** A connection that answered, then went silent (its listener stalls it): a command sent now waits. */
    StatefulRedisConnection<String, String> silentConnection() {
        listener = FaultListener.inFrontOf(redis.address()).name("lettuce-stall").fault(Fault.stall().after(Duration.ofMillis(1000)))
                .resetConnectionsOnClose().start();
        StatefulRedisConnection<String, String> connection = client(listener.address()).connect();
        assertThat(connection.sync().ping()).isEqualTo("PONG");
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.journal().faultsFired() == 1);
        return connection;
    }

    /**
     * A reset during Lettuce's handshake: the errno as cause; or, when its write of the handshake met the reset first, a
     * close without a cause ({@code Connection closed prematurely}): nothing says reset, TRUNCATED. Rarely (seen once in
     * CI, JDK 17) the channel closed before Lettuce's connect listener ran, which then finds no handshake handler and
     * says only {@code IllegalStateException: RedisHandshakeHandler not registered}: TRUNCATED too.
     */
    @Test
    void resetOnConnect() {
        listener = FaultListener.standalone().name("lettuce-reset").fault(Fault.reset()).start();
        Throwable thrown = catchThrowable(() -> client(listener.address()).connect());
        boolean resetInChain = NetworkFailure.classify(thrown).chain().stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("reset"));
        assertThat(assertClassified(thrown, resetInChain ? CONNECTION_RESET : TRUNCATED))
                .startsWith("io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1")
                .containsAnyOf("failed with error(-104): Connection reset by peer", "Connection closed prematurely",
                        "java.lang.IllegalStateException: RedisHandshakeHandler not registered");
    }

    @Test
    void resetWhileACommandWaits() throws Exception {
        StatefulRedisConnection<String, String> connection = silentConnection();
        RedisFuture<String> get = connection.async().get("k");
        listener.resetOpenConnections();
        Throwable thrown = catchThrowable(() -> get.get(10, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        if (thrown.getCause() instanceof java.nio.channels.ClosedChannelException) {
            // The reset closed the channel before Lettuce wrote the command (seen once in CI on JDK 25): Netty fails the
            // write with its stackless ClosedChannelException, which names no errno, so the classifier cannot say reset.
            assertThat(thrown.getCause().getClass().getName()).isEqualTo("io.netty.channel.StacklessClosedChannelException");
            return;
        }
        // Netty's native errno, not wrapped: from the read, or from a write that met the reset first
        assertThat(assertClassified(thrown.getCause(), CONNECTION_RESET))
                .matches("io\\.netty\\.channel\\.unix\\.Errors\\$NativeIoException: (recv|send)Address\\(\\.\\.\\) failed with error\\(-104\\): Connection reset by peer");
    }

    @Test
    void commandTimeout() {
        StatefulRedisConnection<String, String> connection = silentConnection();
        assertThat(assertClassified(catchThrowable(() -> connection.sync().get("k")), READ_TIMEOUT))
                .isEqualTo("io.lettuce.core.RedisCommandTimeoutException: Command timed out after 500 millisecond(s)");
    }

    @Test
    void finOnConnect() {
        listener = FaultListener.standalone().name("lettuce-fin").fault(Fault.close()).start();
        assertThat(assertClassified(catchThrowable(() -> client(listener.address()).connect()), TRUNCATED))
                .endsWith(" <- io.lettuce.core.RedisConnectionException: Connection closed prematurely");
    }

    @Test
    void connectTimeout() {
        listener = FaultListener.standalone().name("lettuce-full").neverAccept().backlog(1).fillAcceptQueue().start();
        assertThat(assertClassified(catchThrowable(() -> client(listener.address()).connect()), CONNECT_TIMEOUT))
                .startsWith("io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1")
                .contains(" <- io.netty.channel.ConnectTimeoutException: connection timed out after 500 ms: /127.0.0.1:");
    }

    @Test
    void refused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int nothing = port;
        assertThat(assertClassified(catchThrowable(() -> client("127.0.0.1", nothing).connect()), CONNECTION_REFUSED))
                .startsWith("io.lettuce.core.RedisConnectionException: Unable to connect to 127.0.0.1")
                .contains("AnnotatedConnectException: finishConnect(..) failed with error(-111): Connection refused");
    }

    @Test
    void unknownHost() {
        try (AgentRule rule = SocketAgent.failResolution("cache.netfault.invalid")) {
            assertThat(assertClassified(catchThrowable(() -> client("cache.netfault.invalid", 6379).connect()), UNKNOWN_HOST))
                    .startsWith("io.lettuce.core.RedisConnectionException: Unable to connect to cache.netfault.invalid/<unresolved>:6379");
        }
    }
}
