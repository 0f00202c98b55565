package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.Outcome;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Each sequence of lookups runs first against a name that really does not resolve (a fresh
 * {@code .invalid} name: the resolver answers, then the JDK's negative cache does), then against
 * "localhost" under a rule; the messages must be the same, with the host name swapped.
 */
@DisplayName("SocketAgent.failResolution: the resolver's and the negative cache's UnknownHostException")
class FailResolutionTests {

    private EchoServer real;

    @BeforeEach
    void startARealServer() {
        real = EchoServer.start();
    }

    @AfterEach
    void stopIt() throws Exception {
        real.close();
    }

    private static String unresolvable() {
        return "nf-" + UUID.randomUUID().toString().substring(0, 8) + ".invalid";
    }

    /** {@return the outcomes of {@code lookups} for a real unresolvable name and for "localhost" under a rule, names replaced by "HOST"} */
    private static List<List<Outcome>> realThenSynthetic(Function<String, List<Outcome>> lookups) {
        String name = unresolvable();
        List<Outcome> real = lookups.apply(name);
        List<Outcome> synthetic;
        try (AgentRule rule = SocketAgent.failResolution("localhost")) {
            synthetic = lookups.apply("localhost");
        }
        return List.of(anonymous(real, name), anonymous(synthetic, "localhost"));
    }

    private static List<Outcome> anonymous(List<Outcome> outcomes, String host) {
        List<Outcome> result = new ArrayList<>();
        for (Outcome o : outcomes) {
            result.add(new Outcome(o.chain().stream().map(s -> s.replace(host, "HOST")).toList(), o.state()));
        }
        return result;
    }

    private static Outcome unknownHost(String message) {
        return new Outcome(List.of("java.net.UnknownHostException: " + message), "");
    }

    @Test
    void theFirstLookupNamesTheResolversErrorAndLaterOnesOnlyTheHost() {
        List<List<Outcome>> outcomes = realThenSynthetic(host -> List.of(
                Outcome.of(() -> InetAddress.getByName(host)),
                Outcome.of(() -> InetAddress.getAllByName(host)),
                Outcome.of(() -> InetAddress.getByName(host))));
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0)).containsExactly(
                unknownHost("HOST: Name or service not known"), unknownHost("HOST"), unknownHost("HOST"));
    }

    @Test
    void aSocketGivenTheNameReportsOnlyTheHostEvenOnTheFirstLookup() {
        List<List<Outcome>> outcomes = realThenSynthetic(host -> List.of(
                Outcome.of(() -> new Socket(host, 80).close()),
                Outcome.of(() -> InetAddress.getByName(host))));
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0)).containsExactly(unknownHost("HOST"), unknownHost("HOST"));
    }

    @Test
    void httpUrlConnectionReportsTheHost() {
        int port = real.port();
        List<List<Outcome>> outcomes = realThenSynthetic(host -> List.of(
                Outcome.of(() -> Io.getWithUrlConnection("http://" + host + ":" + port + "/"))));
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0)).containsExactly(unknownHost("HOST"));
    }

    @Test
    void httpClientFailsWithANullMessageCausedByAnUnresolvedAddress() {
        HttpClient client = Io.httpClient();
        int port = real.port();
        List<List<Outcome>> outcomes = realThenSynthetic(host -> List.of(
                Outcome.of(() -> Io.getWithHttpClient(client, "http://" + host + ":" + port + "/"))));
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0)).containsExactly(new Outcome(List.of(
                "java.net.ConnectException: null", "java.net.ConnectException: null",
                "java.nio.channels.UnresolvedAddressException: null"), ""));
        assertThat(real.acceptedFrom()).isEmpty();
    }

    @Test
    void matchesTheHostCaseInsensitively() {
        try (AgentRule rule = SocketAgent.failResolution("LocalHost")) {
            assertThatThrownBy(() -> InetAddress.getByName("LOCALHOST"))
                    .isExactlyInstanceOf(UnknownHostException.class).hasMessage("LOCALHOST: Name or service not known");
            assertThat(rule.describe()).isEqualTo("fail resolving localhost");
        }
    }

    @Test
    void leavesOtherNamesAndLiteralsAlone() throws Exception {
        try (AgentRule rule = SocketAgent.failResolution("localhost");
             Socket socket = new Socket("127.0.0.1", real.port())) {
            assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(InetAddress.getByName("127.0.0.1").isLoopbackAddress()).isTrue();
        }
    }

    @Test
    void leavesNothingInTheNegativeCacheOnceClosed() throws Exception {
        try (AgentRule rule = SocketAgent.failResolution("localhost")) {
            assertThatThrownBy(() -> new Socket("localhost", real.port())).isExactlyInstanceOf(UnknownHostException.class);
        }
        assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
        try (Socket socket = new Socket("localhost", real.port())) {
            assertThat(Io.roundTrip(socket, "ping")).isEqualTo("ping");
        }
    }

    @Test
    void refusesASecondRuleForTheSameHost() {
        try (AgentRule rule = SocketAgent.failResolution("localhost")) {
            assertThatThrownBy(() -> SocketAgent.failResolution("LOCALHOST"))
                    .isExactlyInstanceOf(IllegalStateException.class).hasMessage("resolving LOCALHOST already fails under another rule");
        }
    }
}
