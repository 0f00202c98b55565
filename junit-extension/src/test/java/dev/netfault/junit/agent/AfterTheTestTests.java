package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Journal;
import dev.netfault.internal.boot.NetFaultHooks;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.Reset;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.junit.TimeOutConnections;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A fixture whose tests make every kind of agent rule, one of them failing on purpose, runs through
 * the Engine Test Kit; afterwards, nothing of them is left in this JVM.
 */
@DisplayName("after a test, nothing of its agent rules remains")
class AfterTheTestTests {

    static EchoServer real;
    static ServerSocket appServer;
    static final List<Socket> leftOpen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startTheRealServers() throws IOException {
        real = EchoServer.start();
        appServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stopThem() throws IOException {
        for (Socket socket : leftOpen) {
            socket.close();
        }
        leftOpen.clear();
        appServer.close();
        real.close();
    }

    private static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
    }

    @AgentKit.Fixture
    @EnableNetFault
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class) // last, the armed connection: later rules on localhost would reach it
    static class EveryRule {

        @Test
        @Reset
        void aimsAReset(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("localhost:" + real.port());
            try (Socket socket = new Socket("localhost", real.port())) {
                assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class);
            }
            assertThat(journal.accepted()).isEqualTo(1);
        }

        @Test
        @RefuseConnections("localhost")
        void refusesAndFailsOnPurpose() {
            assertThatThrownBy(() -> new Socket("localhost", real.port())).isInstanceOf(ConnectException.class);
            throw new AssertionError("failing on purpose, with the refusal in place");
        }

        @Test
        @Order(Integer.MAX_VALUE)
        @TimeOutConnections(value = "localhost", after = 1000)
        void leavesAConnectionArmedToTimeOut() throws Exception {
            Socket socket = new Socket("localhost", real.port());
            leftOpen.add(socket);
            assertThat(echo(socket, "armed")).isEqualTo("armed");
        }

        @Test
        @FailResolution("localhost")
        void failsResolution() {
            assertThatThrownBy(() -> InetAddress.getByName("localhost")).isInstanceOf(UnknownHostException.class);
        }

        @Test
        void failsAccepts(NetFault netfault) {
            netfault.failAccept(appServer.getLocalPort(), 5);
            assertThatThrownBy(appServer::accept).isInstanceOf(IOException.class).hasMessage("Too many open files");
        }
    }

    @Test
    void everyRuleIsClosedAndConnectionsGoStraightToTheirTarget() throws Exception {
        EngineExecutionResults results = AgentKit.run(EveryRule.class);
        AgentKit.assertOutcomes(results, 4, 1);
        assertThat(AgentKit.failureOf(results, "refusesAndFailsOnPurpose")).hasMessage("failing on purpose, with the refusal in place");

        assertThat(NetFaultHooks.active).as("connect, accept or resolution hooks active").isFalse();
        assertThat(NetFaultHooks.ioActive).as("an I/O fault armed").isFalse();
        assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
        try (Socket socket = new Socket("localhost", real.port())) {
            assertThat(echo(socket, "direct")).isEqualTo("direct");
            assertThat(real.acceptedFrom()).as("the real server saw the client's own port").contains(socket.getLocalPort());
        }
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), appServer.getLocalPort());
             Socket accepted = appServer.accept()) {
            assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
        }
    }

    @Test
    void aConnectionArmedDuringTheTestDoesNotTimeOutAfterIt() throws Exception {
        AgentKit.assertOutcomes(AgentKit.run(EveryRule.class), 4, 1);
        assertThat(leftOpen).hasSize(1);
        Socket armed = leftOpen.get(0);
        // Past the 1000 ms the rule gave it (it was closed long before), the connection still works.
        await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(echo(armed, "still alive")).isEqualTo("still alive"));
    }
}
