package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AcceptError;
import dev.netfault.internal.boot.NetFaultHooks;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.FailAccept;
import dev.netfault.junit.NetFault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code @FailAccept} and {@code NetFault.failAccept(port, times, error)}, run through the Engine Test Kit. */
@DisplayName("@FailAccept and NetFault.failAccept with an errno")
class FailAcceptAnnotationTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void failsTheAcceptsOfEveryListenerTheTestOpensThenEndsWithTheTest() throws Exception {
        AgentKit.assertOutcomes(AgentKit.run(Fixtures.class), 4, 0);
        assertThat(NetFaultHooks.active).as("accept hooks active after the tests").isFalse();
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, server.getLocalPort());
             Socket accepted = server.accept()) {
            assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
        }
    }

    @Test
    void rejectsNonsenseNamingTheAnnotationTheRuleAndTheFix() {
        EngineExecutionResults results = AgentKit.run(Misused.class);
        AgentKit.assertOutcomes(results, 0, 2);
        assertThat(AgentKit.failureOf(results, "noAccepts")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@FailAccept on method 'noAccepts()': times, the number of accepts that fail, must be at least 1, but was 0."
                        + " Fix: give times = 1 or more, or remove the annotation.");
        assertThat(AgentKit.failureOf(results, "noSuchPort")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@FailAccept on method 'noSuchPort()': port must be from 1 to 65535, or 0 for every listener, but was 70000."
                        + " Fix: give the port the application's server listens on, or leave port out; for a port known only at run time,"
                        + " call NetFault.failAccept(port, times, error) in the test.");
    }

    @AgentKit.Fixture
    @EnableNetFault
    static class Fixtures {

        ServerSocket startedBefore;

        @BeforeEach
        void startTheApplicationsServer() throws IOException {
            startedBefore = new ServerSocket(0, 50, LOOPBACK);
        }

        @AfterEach
        void stopIt() throws IOException {
            startedBefore.close();
        }

        @Test
        @FailAccept(times = 2, error = AcceptError.ETIMEDOUT)
        void everyListenerWithNoPort() throws Exception {
            try (ServerSocketChannel later = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 Socket toBefore = new Socket(LOOPBACK, startedBefore.getLocalPort());
                 SocketChannel toLater = SocketChannel.open(later.getLocalAddress())) {
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(startedBefore::accept).isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                    assertThatThrownBy(later::accept).isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                }
                try (Socket accepted = startedBefore.accept(); SocketChannel acceptedLater = later.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(toBefore.getLocalPort());
                    assertThat(acceptedLater.getRemoteAddress()).isEqualTo(toLater.getLocalAddress());
                }
            }
        }

        @Test
        @FailAccept
        void onceWithEmfileByDefault() throws Exception {
            assertThatThrownBy(startedBefore::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
        }

        @Test
        void inCodeOnTheServersPort(NetFault netfault) throws Exception {
            netfault.failAccept(startedBefore.getLocalPort(), 1, AcceptError.ENFILE);
            try (Socket client = new Socket(LOOPBACK, startedBefore.getLocalPort())) {
                assertThatThrownBy(startedBefore::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files in system");
                try (Socket accepted = startedBefore.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }

        @Test
        void noAcceptFailsAfterTheOtherTests() throws Exception {
            // test order is deterministic but not obvious: this one proves only that no rule of another test is left when it runs
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort());
                 Socket accepted = server.accept()) {
                assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
            }
        }
    }

    @AgentKit.Fixture
    static class Misused {

        @Test
        @FailAccept(times = 0)
        void noAccepts() {
        }

        @Test
        @FailAccept(port = 70_000)
        void noSuchPort() {
        }
    }
}
