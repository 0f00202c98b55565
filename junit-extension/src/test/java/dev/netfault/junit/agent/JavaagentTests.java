package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Journal;
import dev.netfault.SocketAgent;
import dev.netfault.internal.agent.AgentRules;
import dev.netfault.junit.DetectSocketLeaks;
import dev.netfault.junit.Reset;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.testsupport.EchoServer;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs only in the {@code javaagent} Surefire execution of {@code mvn verify}: a JVM started with
 * {@code -javaagent:netfault-core-<version>.jar} and {@code -XX:+DisableAttachMechanism}, so the
 * agent can only work through its {@code premain}.
 */
@Tag("javaagent")
@DisplayName("the socket agent loaded with -javaagent")
class JavaagentTests {

    @BeforeAll
    static void theJvmWasStartedWithTheAgentAndForbidsAttaching() {
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
                .anyMatch(option -> option.startsWith("-javaagent:") && option.endsWith(".jar"))
                .contains("-XX:+DisableAttachMechanism");
    }

    @Test
    void installsThroughItsPremainRatherThanBySelfAttach() {
        SocketAgent.install();
        assertThat(SocketAgent.isInstalled()).isTrue();
        assertThat(AgentRules.loadedAsJavaagent()).isTrue();
    }

    @Test
    @Reset
    void aimsAFaultAtTheApplicationsConnection(NetFault netfault, Journal journal) throws Exception {
        try (EchoServer real = EchoServer.start()) {
            netfault.aimAt("localhost:" + real.port());
            try (Socket socket = new Socket("localhost", real.port())) {
                assertThat(socket.getPort()).isEqualTo(real.port());
                assertThatThrownBy(() -> socket.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(journal.connections()).singleElement().extracting(c -> c.client().getPort()).isEqualTo(socket.getLocalPort());
            }
        }
    }

    @Test
    @RefuseConnections("localhost")
    void refusesAServerThatListens() throws Exception {
        try (EchoServer real = EchoServer.start()) {
            assertThatThrownBy(() -> new Socket("localhost", real.port())).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            assertThat(real.acceptedFrom()).isEmpty();
        }
    }

    @Test
    @DetectSocketLeaks
    void tracksSocketsWithNothingLeaked() throws Exception {
        try (EchoServer real = EchoServer.start(); Socket socket = new Socket("localhost", real.port())) {
            assertThat(socket.isConnected()).isTrue();
        }
    }
}
