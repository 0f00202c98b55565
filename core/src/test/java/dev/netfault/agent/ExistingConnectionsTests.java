package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Connections the application opened before a rule was made (a warm pool) are reached by it: a
 * time-out kills them with ETIMEDOUT; a redirect or refusal, which cannot move an established
 * connection, ends them with ECONNRESET, so the application reconnects through the rule.
 */
@DisplayName("rules reach connections that were open before them")
class ExistingConnectionsTests {

    private EchoServer real;

    @BeforeAll
    static void install() {
        SocketAgent.install(); // before the "pool" below opens its connections, as @EnableNetFault does for a test class
    }

    @BeforeEach
    void start() {
        real = EchoServer.start();
    }

    @AfterEach
    void stop() {
        real.close();
    }

    private static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
    }

    @Test
    void aTimeOutKillsAnOpenConnectionWithEtimedout() throws Exception {
        try (Socket warm = new Socket("localhost", real.port())) {
            assertThat(echo(warm, "warm")).isEqualTo("warm");
            warm.setSoTimeout(5_000);
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), Duration.ofMillis(200))) {
                long start = System.nanoTime();
                // blocked in read when the fault fires: ETIMEDOUT, not the 5 s read timeout
                assertThatThrownBy(() -> warm.getInputStream().read()).isExactlyInstanceOf(SocketException.class)
                        .hasMessage("Connection timed out");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
                assertThat(rule.matches()).isEqualTo(1);
                assertThat(rule.describeMatches()).isEqualTo("0 connect(s), 1 connection(s) already open when it was made");
            }
        }
    }

    @Test
    void aRedirectEndsAnOpenConnectionWithAResetAndTheNextOneGoesThroughTheListener() throws Exception {
        try (Socket warm = new Socket("localhost", real.port());
             SocketChannel warmChannel = SocketChannel.open(new InetSocketAddress("localhost", real.port()));
             FaultListener listener = FaultListener.inFrontOf(real.address()).start()) {
            assertThat(echo(warm, "warm")).isEqualTo("warm");
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address())) {
                assertThat(rule.matches()).isEqualTo(2);
                // what the JDK gives for a real RST: Socket read, sticky; channel write, then Broken pipe
                assertThatThrownBy(() -> warm.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(() -> warm.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(() -> warmChannel.write(ByteBuffer.wrap(new byte[] {1}))).isExactlyInstanceOf(IOException.class)
                        .hasMessage("Connection reset by peer");
                assertThatThrownBy(() -> warmChannel.write(ByteBuffer.wrap(new byte[] {1}))).isInstanceOf(IOException.class)
                        .hasMessage("Broken pipe");
                try (Socket fresh = new Socket("localhost", real.port())) {
                    assertThat(echo(fresh, "fresh")).isEqualTo("fresh");
                    assertThat(listener.journal().accepted()).isEqualTo(1);
                }
                assertThat(rule.describeMatches()).isEqualTo("1 connect(s), 2 connection(s) already open when it was made");
            }
        }
    }

    @Test
    void aRuleForAnotherTargetLeavesOpenConnectionsAlone() throws Exception {
        try (EchoServer other = EchoServer.start();
             Socket warm = new Socket("localhost", real.port());
             AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + other.port()))) {
            assertThat(echo(warm, "still")).isEqualTo("still");
            assertThat(rule.matches()).isZero();
        }
    }

    @Test
    void aConnectionClosedBeforeTheRuleIsNotTouchedNorItsReusedDescriptor() throws Exception {
        Socket closed = new Socket("localhost", real.port());
        closed.close();
        try (Socket reused = new Socket("localhost", real.port() == 1 ? 2 : real.port()); // likely the same descriptor number
             AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + real.port()))) {
            assertThat(rule.matches()).isEqualTo(1); // the open one, not the closed one
            assertThatThrownBy(() -> reused.getInputStream().read()).hasMessage("Connection reset");
        }
    }

    @Test
    void aTimeOutCountsFromTheCompletedConnectNotFromConnectCall() throws Exception {
        // A listener whose accept queue is full drops SYNs: the connect never completes.
        try (FaultListener full = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();
             AgentRule rule = SocketAgent.timeOutConnections(Target.parse("127.0.0.1:" + full.port()), Duration.ofMillis(100));
             Socket socket = new Socket()) {
            long start = System.nanoTime();
            // the client's own connect timeout fires, as without the rule: not a reset from a fault that fired mid-connect
            assertThatThrownBy(() -> socket.connect(full.address(), 600)).isExactlyInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Connect timed out");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(rule.matches()).isEqualTo(1);
        }
    }
}
