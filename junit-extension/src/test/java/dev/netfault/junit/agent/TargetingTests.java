package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.ConnectionRecord;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.Reset;
import dev.netfault.junit.NetFault;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("aiming at a target")
@EnableNetFault
class TargetingTests {

    private static final InetAddress LITERAL = literal();

    private EchoServer real;

    @BeforeEach
    void startTheRealServer() {
        real = EchoServer.start();
    }

    @AfterEach
    void stopIt() throws IOException {
        real.close();
    }

    private static InetAddress literal() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1}); // no host name attached
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
    }

    /** The listener relayed exactly this one client connection, and the real server saw the listener, not the client. */
    private void assertRelayedOnce(Journal journal, Socket client) {
        assertThat(journal.connections()).singleElement().extracting(c -> c.client().getPort()).isEqualTo(client.getLocalPort());
        assertThat(real.acceptedFrom()).singleElement().isNotEqualTo(client.getLocalPort());
    }

    /** The tests with {@code afterBytesToClient = 1_000} only need a relaying listener: their short echoes never reach the reset. */
    @Nested
    @DisplayName("matches")
    class Matches {

        @Test
        @Reset(afterBytesToClient = 1_000)
        void aHostNameTargetWhenTheApplicationConnectsToItsAddress(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("localhost:" + real.port());
            try (Socket socket = new Socket(LITERAL, real.port())) {
                assertThat(echo(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).hasToString("/127.0.0.1:" + real.port());
                assertRelayedOnce(journal, socket);
            }
        }

        @Test
        @Reset(afterBytesToClient = 1_000)
        void anAddressTargetWhenTheApplicationConnectsByHostName(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("127.0.0.1:" + real.port());
            try (Socket socket = new Socket("localhost", real.port())) {
                assertThat(echo(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).hasToString("localhost/127.0.0.1:" + real.port());
                assertRelayedOnce(journal, socket);
            }
        }

        @Test
        @Reset(target = "localhost")
        void aHostTargetOnEveryPortOfThatHost(Journal journal) throws Exception {
            try (EchoServer other = EchoServer.start();
                 Socket first = new Socket("localhost", real.port());
                 Socket second = new Socket(LITERAL, other.port())) {
                assertThatThrownBy(() -> first.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(() -> second.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(journal.connections()).extracting(c -> c.client().getPort())
                        .containsExactlyInAnyOrder(first.getLocalPort(), second.getLocalPort());
                assertThat(real.acceptedFrom()).isEmpty();
                assertThat(other.acceptedFrom()).isEmpty();
            }
        }

        @Test
        void aPortTargetOnEveryHost(NetFault netfault) throws Exception {
            FaultListener listener = netfault.start(FaultListener.inFrontOf(real.address()));
            netfault.redirect(":" + real.port(), listener);
            try (Socket byName = new Socket("localhost", real.port());
                 Socket byAddress = new Socket(LITERAL, real.port())) {
                assertThat(echo(byName, "one")).isEqualTo("one");
                assertThat(echo(byAddress, "two")).isEqualTo("two");
                assertThat(listener.journal().connections()).extracting(c -> c.client().getPort())
                        .containsExactly(byName.getLocalPort(), byAddress.getLocalPort());
            }
        }
    }

    @Nested
    @DisplayName("leaves alone")
    class LeavesAlone {

        @Test
        @Reset
        void aConnectionToAnotherPortInTheSameTest(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("localhost:" + real.port());
            try (EchoServer other = EchoServer.start();
                 Socket socket = new Socket("localhost", other.port())) {
                assertThat(echo(socket, "ping")).isEqualTo("ping");
                assertThat(other.acceptedFrom()).containsExactly(socket.getLocalPort());
                assertThat(journal.accepted()).isZero();
            }
            try (Socket aimed = new Socket("localhost", real.port())) { // the rule's own target: it does reach that
                assertThatThrownBy(() -> aimed.getInputStream().read()).isInstanceOf(SocketException.class);
                assertThat(journal.accepted()).isEqualTo(1);
            }
        }

        @Test
        void theListenersOwnConnectionToTheTarget(NetFault netfault) throws Exception {
            FaultListener listener = netfault.start(FaultListener.inFrontOf(new InetSocketAddress("localhost", real.port())));
            // A rule that matches the listener's own upstream connection too: it must not loop into itself.
            netfault.redirect(":" + real.port(), listener);
            try (Socket socket = new Socket("localhost", real.port())) {
                assertThat(echo(socket, "ping")).isEqualTo("ping");
                assertThat(listener.journal().connections()).singleElement().extracting(ConnectionRecord::upstreamConnected)
                        .satisfies(connected -> assertThat(connected).isPresent());
                assertThat(real.acceptedFrom()).hasSize(1);
            }
        }
    }
}
