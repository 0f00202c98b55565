package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.http.HttpClient;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each client first meets a real refusal (a loopback port bound with nothing listening), then a
 * refusal by the agent of a server that does listen; both must look the same to it.
 */
@DisplayName("SocketAgent.refuse: a refusal identical to the kernel's")
class RefuseTests {

    private static final List<String> REFUSED = List.of("java.net.ConnectException: Connection refused");
    /**
     * A refused {@code Socket} is unusable afterwards; since JDK 24 (JDK-8343791) {@code Socket.connect}
     * also marks it closed, before that only its implementation is.
     */
    private static final String REFUSED_SOCKET_STATE = Runtime.version().feature() >= 24
            ? "closed=true, connect again: java.net.SocketException: Socket is closed"
            : "closed=false, connect again: java.net.SocketException: Socket closed";

    private EchoServer live;
    private SocketChannel closedPort;

    @BeforeEach
    void startALiveServerAndReserveAClosedPort() throws IOException {
        live = EchoServer.start();
        closedPort = SocketChannel.open(StandardProtocolFamily.INET);
        closedPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void release() throws IOException {
        closedPort.close();
        live.close();
    }

    private int closedPort() throws IOException {
        return ((InetSocketAddress) closedPort.getLocalAddress()).getPort();
    }

    /** {@return the outcome against the really closed port, and then against the live server under a refusal rule} */
    private Outcome[] realThenSynthetic(IntFunction<Outcome> client) throws IOException {
        Outcome real = client.apply(closedPort());
        Outcome synthetic;
        try (AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + live.port()))) {
            synthetic = client.apply(live.port());
        }
        assertThat(live.acceptedFrom()).as("connections the live server accepted").isEmpty();
        return new Outcome[] {real, synthetic};
    }

    @Test
    void socketConnectFailsAndClosesTheSocket() throws IOException {
        Outcome[] outcomes = realThenSynthetic(port -> {
            Socket socket = new Socket();
            return Outcome.of(() -> socket.connect(new InetSocketAddress("localhost", port)), () -> stateOf(socket, port));
        });
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, REFUSED_SOCKET_STATE));
    }

    @Test
    void socketConnectWithATimeoutFailsAtOnce() throws IOException {
        long start = System.nanoTime();
        Outcome[] outcomes = realThenSynthetic(port -> {
            Socket socket = new Socket();
            return Outcome.of(() -> socket.connect(new InetSocketAddress("localhost", port), 30_000), () -> stateOf(socket, port));
        });
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, REFUSED_SOCKET_STATE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void socketConstructorFails() throws IOException {
        Outcome[] outcomes = realThenSynthetic(port -> Outcome.of(() -> new Socket("localhost", port).close()));
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, ""));
    }

    @Test
    void blockingSocketChannelConnectFailsAndClosesTheChannel() throws IOException {
        Outcome[] outcomes = realThenSynthetic(port -> {
            SocketChannel channel = open();
            return Outcome.of(() -> channel.connect(new InetSocketAddress("localhost", port)), () -> "open=" + channel.isOpen());
        });
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, "open=false"));
    }

    @Test
    void nonBlockingSocketChannelFailsInFinishConnectAndClosesTheChannel() throws IOException {
        Outcome[] outcomes = realThenSynthetic(port -> {
            SocketChannel channel = open();
            return Outcome.of(() -> Io.connectNonBlocking(channel, new InetSocketAddress("localhost", port), Duration.ofSeconds(5)),
                    () -> "open=" + channel.isOpen());
        });
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, "open=false"));
    }

    @Test
    void httpUrlConnectionFails() throws IOException {
        Outcome[] outcomes = realThenSynthetic(port -> Outcome.of(() -> Io.getWithUrlConnection("http://localhost:" + port + "/")));
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(REFUSED, ""));
    }

    @Test
    void httpClientFailsWithANullMessageCausedByAClosedChannel() throws IOException {
        HttpClient client = Io.httpClient();
        Outcome[] outcomes = realThenSynthetic(port -> Outcome.of(() -> Io.getWithHttpClient(client, "http://localhost:" + port + "/")));
        assertThat(outcomes[1]).isEqualTo(outcomes[0]).isEqualTo(new Outcome(List.of("java.net.ConnectException: null",
                "java.net.ConnectException: null", "java.nio.channels.ClosedChannelException: null"), ""));
    }

    @Test
    void refusesOnlyItsTargetAndNothingAfterItIsClosed() throws Exception {
        try (EchoServer other = EchoServer.start()) {
            AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + live.port()));
            assertThat(rule.describe()).isEqualTo("refuse localhost:" + live.port());
            try (Socket untouched = new Socket("localhost", other.port())) {
                assertThat(Io.roundTrip(untouched, "ping")).isEqualTo("ping");
            }
            rule.close();
            try (Socket socket = new Socket("localhost", live.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(live.acceptedFrom()).containsExactly(socket.getLocalPort());
            }
        }
    }

    private static String stateOf(Socket socket, int port) {
        Outcome again = Outcome.of(() -> socket.connect(new InetSocketAddress("localhost", port)));
        return "closed=" + socket.isClosed() + ", connect again: " + String.join(" <- ", again.chain());
    }

    private static SocketChannel open() {
        try {
            return SocketChannel.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
