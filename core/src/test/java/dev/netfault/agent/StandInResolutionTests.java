package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.WebServer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An application configured with a production name ({@code payments.netfault.invalid}, which never
 * resolves: RFC 2606 reserves {@code .invalid}) can be redirected or refused without a hosts file
 * or a DNS server: while the rule is active, the agent answers the name's lookups with a loopback
 * stand-in address.
 */
@DisplayName("SocketAgent.redirect and refuse, aimed at a host name that does not resolve")
class StandInResolutionTests {

    /** What the real HTTP server answers to every request. */
    private static final String HTTP_BODY = "hello from the real server\n".repeat(40);

    private static final String HOST = "payments.netfault.invalid";

    @Test
    void aSocketByNameReachesTheRedirectDestination() throws Exception {
        try (EchoServer real = EchoServer.start();
             FaultListener listener = FaultListener.inFrontOf(real.address()).name("stand-in").start();
             AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":443"), listener.address());
             Socket socket = new Socket(HOST, 443)) {
            assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(socket.getInetAddress().getHostName()).isEqualTo(HOST);
            assertThat(socket.getInetAddress().getHostAddress()).startsWith("127.77.");
            assertThat(listener.journal().connections()).hasSize(1);
        }
    }

    @Test
    void aChannelAndHttpClientAndUrlConnectionReachIt() throws Exception {
        try (WebServer http = WebServer.answering(HTTP_BODY);
             AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":8443"),
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), http.port()));
             SocketChannel channel = SocketChannel.open(new InetSocketAddress(HOST, 8443))) {
            assertThat(channel.isConnected()).isTrue();
            String url = "http://" + HOST + ":8443/stock";
            assertThat(Io.getWithHttpClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), url))
                    .isEqualTo(HTTP_BODY);
            assertThat(Io.getWithUrlConnection(url)).isEqualTo(HTTP_BODY);
            assertThat(http.requestsFrom()).hasSize(2);
        }
    }

    @Test
    void refuseGivesARealRefusalInsteadOfAnUnknownHost() {
        try (AgentRule rule = SocketAgent.refuse(Target.parse(HOST + ":5432"))) {
            assertThatThrownBy(() -> new Socket(HOST, 5432).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }
    }

    @Test
    void theNameStopsResolvingWhenTheRuleCloses() throws Exception {
        String host = "inventory.netfault.invalid";
        AgentRule rule = SocketAgent.redirect(Target.parse(host), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
        InetAddress[] during = InetAddress.getAllByName(host);
        assertThat(during).singleElement().satisfies(a -> assertThat(a.getHostAddress()).startsWith("127.77."));
        during[0] = null; // each lookup gets its own array
        assertThat(InetAddress.getAllByName(host)).doesNotContainNull();

        rule.close();

        assertThatThrownBy(() -> InetAddress.getAllByName(host)).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void saysSoInItsDescription() {
        try (AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":443"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
            assertThat(rule.describe()).startsWith("redirect " + HOST + ":443 to ")
                    .containsPattern(" \\(" + HOST.replace(".", "\\.") + " does not resolve: its lookups get 127\\.77\\.\\d+\\.\\d+ while the rule is active\\)$");
        }
    }

    @Test
    void leavesNamesThatResolveAndAddressLiteralsAlone() throws Exception {
        try (AgentRule byName = SocketAgent.redirect(Target.parse("localhost:443"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
             AgentRule byLiteral = SocketAgent.redirect(Target.parse("10.0.0.7:443"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))) {
            assertThat(byName.describe()).doesNotContain("does not resolve");
            assertThat(byLiteral.describe()).doesNotContain("does not resolve");
            assertThat(InetAddress.getAllByName("localhost")).extracting(InetAddress::getHostAddress).doesNotHaveDuplicates()
                    .noneMatch(a -> a.startsWith("127.77."));
        }
    }

    @Test
    void timingOutConnectionsNeedsARealTargetSoTheNameStillDoesNotResolve() {
        try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse(HOST + ":443"), Duration.ofMillis(100))) {
            assertThatThrownBy(() -> new Socket(HOST, 443).close()).isInstanceOf(UnknownHostException.class);
        }
    }
}
