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

import dev.netfault.AgentRule;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import dev.netfault.SocketAgent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Jedis 8 (blocking {@code java.net.Socket}) against {@link LettuceTests.FakeRedis} under real faults: what it threw,
 * with its causes and suppressed exceptions, classified (printed for the README's table).
 */
@DisplayName("NetworkFailure.classify on what Jedis threw")
class JedisClassificationTests {

    static LettuceTests.FakeRedis redis;

    FaultListener listener;

    @BeforeAll
    static void start() throws IOException {
        SocketAgent.install();
        redis = new LettuceTests.FakeRedis();
    }

    @AfterAll
    static void stop() throws IOException {
        redis.close();
    }

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** One PING on a new connection, with 500 ms connect and socket timeouts. */
    static String ping(String host, int port) {
        try (Jedis jedis = new Jedis(new HostAndPort(host, port),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis(500).socketTimeoutMillis(500).build())) {
            return jedis.ping();
        }
    }

    static String ping(InetSocketAddress address) {
        return ping("127.0.0.1", address.getPort());
    }

    /** {@return the failure as "class: message <- cause ... [suppressed: ...]", after asserting its classification} */
    static String assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThat(thrown).as("Jedis failed").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            text.append(text.length() == 0 ? "" : " <- ").append(t.getClass().getName()).append(": ").append(t.getMessage());
            for (Throwable suppressed : t.getSuppressed()) {
                text.append(" [suppressed: ").append(suppressed.getClass().getName()).append(": ").append(suppressed.getMessage()).append(']');
            }
        }
        System.out.println("[classify] Jedis: " + text + " => " + NetworkFailure.classify(thrown).failure());
        assertThatNetworkFailure(thrown).isOneOf(expected);
        return text.toString();
    }

    @Test
    void worksWithoutFaults() {
        assertThat(ping(redis.address())).isEqualTo("PONG");
    }

    @Test
    void reset() {
        listener = FaultListener.standalone().name("jedis-reset").fault(Fault.reset()).start();
        Throwable thrown = catchThrowable(() -> ping(listener.address()));
        boolean resetInChain = NetworkFailure.classify(thrown).chain().stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("reset"));
        assertThat(assertClassified(thrown, resetInChain ? CONNECTION_RESET : TRUNCATED))
                .startsWith("redis.clients.jedis.exceptions.JedisConnectionException: ");
    }

    @Test
    void readTimeout() {
        listener = FaultListener.inFrontOf(redis.address()).name("jedis-stall").fault(Fault.stall()).resetConnectionsOnClose().start();
        assertThat(assertClassified(catchThrowable(() -> ping(listener.address())), READ_TIMEOUT))
                .isEqualTo("redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketTimeoutException: Read timed out"
                        + " <- java.net.SocketTimeoutException: Read timed out");
    }

    @Test
    void connectTimeout() {
        listener = FaultListener.standalone().name("jedis-full").neverAccept().backlog(1).fillAcceptQueue().start();
        assertThat(assertClassified(catchThrowable(() -> ping(listener.address())), CONNECT_TIMEOUT))
                .contains("[suppressed: java.net.SocketTimeoutException: Connect timed out]");
    }

    @Test
    void refused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int nothing = port;
        assertThat(assertClassified(catchThrowable(() -> ping("127.0.0.1", nothing)), CONNECTION_REFUSED))
                .contains("[suppressed: java.net.ConnectException: Connection refused]");
    }

    @Test
    void noReply() {
        listener = FaultListener.inFrontOf(redis.address()).name("jedis-fin").fault(Fault.close()).start();
        assertThat(assertClassified(catchThrowable(() -> ping(listener.address())), TRUNCATED))
                .isEqualTo("redis.clients.jedis.exceptions.JedisConnectionException: Unexpected end of stream.");
    }

    @Test
    void unknownHost() {
        try (AgentRule rule = SocketAgent.failResolution("cache.netfault.invalid")) {
            assertThat(assertClassified(catchThrowable(() -> ping("cache.netfault.invalid", 6379)), UNKNOWN_HOST))
                    .contains("java.net.UnknownHostException: cache.netfault.invalid");
        }
    }
}
