package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.AgentRule;
import dev.netfault.ConnectionRecord;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.WebServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("SocketAgent.redirect")
class RedirectTests {

    /** What the real HTTP server answers to every request. */
    private static final String HTTP_BODY = "hello from the real server\n".repeat(40);

    private EchoServer real;
    private FaultListener listener;

    @BeforeEach
    void startTheRealServerAndAListenerInFrontOfIt() {
        real = EchoServer.start();
        listener = FaultListener.inFrontOf(real.address()).name("redirect-tests").start();
    }

    @AfterEach
    void stopThem() throws Exception {
        listener.close();
        real.close();
    }

    /** The client's connection went through the listener: it accepted it from the client's own port, and relayed it. */
    private void assertRelayed(int clientLocalPort) {
        assertThat(listener.journal().connections()).singleElement()
                .satisfies(c -> assertThat(c.client().getPort()).as("port the listener accepted from").isEqualTo(clientLocalPort))
                .satisfies(c -> assertThat(c.upstreamConnected()).as("relayed upstream").isPresent());
        assertThat(real.acceptedFrom()).as("ports the real server accepted from").singleElement().isNotEqualTo(clientLocalPort);
    }

    @Nested
    @DisplayName("routes every client's connections into the fault listener, unchanged")
    class EveryClient {

        @Test
        void socket() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getPort()).isEqualTo(real.port());
                assertThat(socket.getInetAddress()).isEqualTo(Io.LOCALHOST);
                assertThat(socket.getRemoteSocketAddress()).hasToString("localhost/127.0.0.1:" + real.port());
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void socketWithAConnectTimeout() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", real.port()), 2000);
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(Io.LOCALHOST, real.port()));
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void blockingSocketChannel() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", real.port()))) {
                assertThat(Io.roundTrip(channel, "ping")).isEqualTo("ping");
                assertThat(channel.getRemoteAddress()).hasToString("localhost/127.0.0.1:" + real.port());
                assertThat(channel.socket().getPort()).isEqualTo(real.port());
                assertRelayed(channel.socket().getLocalPort());
            }
        }

        @Test
        void streamsOfABlockingSocketChannel() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", real.port()))) {
                assertThat(Io.roundTrip(channel.socket(), "ping")).isEqualTo("ping");
                assertRelayed(channel.socket().getLocalPort());
            }
        }

        @Test
        void nonBlockingSocketChannelWithASelector() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 SocketChannel channel = Io.connectNonBlocking(new InetSocketAddress("localhost", real.port()), Duration.ofSeconds(5))) {
                assertThat(Io.roundTripNonBlocking(channel, "ping", Duration.ofSeconds(5))).isEqualTo("ping");
                assertThat(channel.getRemoteAddress()).hasToString("localhost/127.0.0.1:" + real.port());
                assertRelayed(channel.socket().getLocalPort());
            }
        }

        @Test
        void httpUrlConnection() throws Exception {
            try (WebServer http = WebServer.answering(HTTP_BODY);
                 FaultListener front = FaultListener.inFrontOf(new InetSocketAddress(InetAddress.getLoopbackAddress(), http.port())).start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + http.port()), front.address())) {
                assertThat(Io.getWithUrlConnection("http://localhost:" + http.port() + "/")).isEqualTo(HTTP_BODY);
                // The listener counts a write after the kernel took it: the client may have read it first.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(front.journal().connections()).singleElement()
                        .satisfies(c -> assertThat(c.bytesToClient()).isGreaterThan(HTTP_BODY.length())));
                assertThat(http.requestsFrom()).singleElement().isNotEqualTo(front.journal().connections().get(0).client().getPort());
            }
        }

        @Test
        void httpClientConnectingOnItsSelectorThread() throws Exception {
            try (WebServer http = WebServer.answering(HTTP_BODY);
                 FaultListener front = FaultListener.inFrontOf(new InetSocketAddress(InetAddress.getLoopbackAddress(), http.port())).start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + http.port()), front.address())) {
                HttpClient client = Io.httpClient();
                assertThat(Io.getWithHttpClient(client, "http://localhost:" + http.port() + "/")).isEqualTo(HTTP_BODY);
                // The listener counts a write after the kernel took it: the client may have read it first.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(front.journal().connections()).singleElement()
                        .satisfies(c -> assertThat(c.bytesToClient()).isGreaterThan(HTTP_BODY.length())));
            }
        }
    }

    @Nested
    @DisplayName("matches a target")
    class Matching {

        @Test
        void byTheHostNameTheApplicationUsedWhenTheTargetNamesTheAddress() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("127.0.0.1:" + real.port()), listener.address());
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void byResolvedAddressWhenTheApplicationGivesALiteral() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 Socket socket = new Socket(Io.LITERAL, real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).hasToString("/127.0.0.1:" + real.port());
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void byANameThatResolvesNowhereButTheApplicationAttachedToAnAddress() throws Exception {
            InetAddress named = Io.named("db.netfault.invalid");
            try (AgentRule rule = SocketAgent.redirect(Target.parse("db.netfault.invalid:" + real.port()), listener.address());
                 Socket socket = new Socket(named, real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).hasToString("db.netfault.invalid/127.0.0.1:" + real.port());
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void caseInsensitively() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("LocalHost:" + real.port()), listener.address());
                 Socket socket = new Socket(Io.named("LOCALHOST"), real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertRelayed(socket.getLocalPort());
            }
        }

        @Test
        void byHostAloneOnAnyPort() throws Exception {
            try (EchoServer other = EchoServer.start();
                 FaultListener echo = FaultListener.standalone().echo().start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("localhost"), echo.address());
                 Socket first = new Socket("localhost", real.port());
                 Socket second = new Socket(Io.LITERAL, other.port())) {
                assertThat(Io.roundTrip(first, "one")).isEqualTo("one");
                assertThat(Io.roundTrip(second, "two")).isEqualTo("two");
                assertThat(echo.journal().connections()).extracting(c -> c.client().getPort())
                        .containsExactly(first.getLocalPort(), second.getLocalPort());
                assertThat(real.acceptedFrom()).isEmpty();
                assertThat(other.acceptedFrom()).isEmpty();
            }
        }

        @Test
        void byPortAloneOnAnyHost() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.port(real.port()), listener.address());
                 Socket byName = new Socket("localhost", real.port());
                 Socket byLiteral = new Socket(Io.LITERAL, real.port())) {
                assertThat(Io.roundTrip(byName, "one")).isEqualTo("one");
                assertThat(Io.roundTrip(byLiteral, "two")).isEqualTo("two");
                assertThat(listener.journal().connections()).extracting(c -> c.client().getPort())
                        .containsExactly(byName.getLocalPort(), byLiteral.getLocalPort());
            }
        }

        @Test
        void byIpv6LoopbackAddress() throws Exception {
            try (java.net.ServerSocket real6 = new ServerSocket(0, 50, InetAddress.getByName("::1"));
                 FaultListener echo = FaultListener.standalone().echo().start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("[::1]:" + real6.getLocalPort()), echo.address());
                 Socket socket = new Socket("::1", real6.getLocalPort())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(socket.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), real6.getLocalPort()));
                assertThat(echo.journal().connections()).singleElement().extracting(ConnectionRecord::client)
                        .extracting(InetSocketAddress::getPort).isEqualTo(socket.getLocalPort());
            }
        }
    }

    @Nested
    @DisplayName("leaves alone")
    class LeavesAlone {

        @Test
        void aConnectionToAnotherPortOfTheSameHost() throws Exception {
            try (EchoServer other = EchoServer.start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
                 Socket socket = new Socket("localhost", other.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(other.acceptedFrom()).containsExactly(socket.getLocalPort());
                assertThat(listener.journal().accepted()).isZero();
            }
        }

        @Test
        void aConnectionToAnotherLoopbackAddressOnTheTargetPort() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.parse("127.0.0.2:" + real.port()), listener.address());
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                assertThat(real.acceptedFrom()).containsExactly(socket.getLocalPort());
                assertThat(listener.journal().accepted()).isZero();
            }
        }

        @Test
        void theListenersOwnConnectionToTheTargetSoItDoesNotLoop() throws Exception {
            try (AgentRule rule = SocketAgent.redirect(Target.port(real.port()), listener.address());
                 Socket socket = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
                // Had the listener's upstream connect been redirected too, it would have reached itself.
                assertThat(listener.journal().accepted()).isEqualTo(1);
                assertThat(real.acceptedFrom()).hasSize(1);
            }
        }

        @Test
        void connectionsMadeAfterTheRuleWasClosed() throws Exception {
            AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address());
            try (Socket during = new Socket("localhost", real.port())) {
                assertThat(Io.roundTrip(during, "during")).isEqualTo("during");
                rule.close();
                rule.close(); // idempotent
                try (Socket after = new Socket("localhost", real.port())) {
                    assertThat(Io.roundTrip(after, "after")).isEqualTo("after");
                    assertThat(real.acceptedFrom()).hasSize(2).last().isEqualTo(after.getLocalPort());
                }
                // the connection made under the rule is not cut by closing it
                assertThat(Io.roundTrip(during, "still")).isEqualTo("still");
                assertThat(listener.journal().accepted()).isEqualTo(1);
            }
        }
    }

    @Test
    void describesItself() {
        try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address())) {
            assertThat(rule.describe()).isEqualTo("redirect localhost:" + real.port() + " to " + listener.address());
        }
    }
}
