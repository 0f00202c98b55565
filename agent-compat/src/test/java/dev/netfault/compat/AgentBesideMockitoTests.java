package dev.netfault.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockStatic;
import static org.mockito.Mockito.when;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mockito.MockedStatic;
import org.mockito.Mockito;
import org.w3c.dom.Document;

/**
 * netfault's published core jar (ByteBuddy relocated inside it) in one JVM with Mockito 5's inline
 * mock maker, which attaches its own agent, and with a ByteBuddy of another version than netfault's
 * on the class path. In order: Mockito first, then netfault's agent, then Mockito retransforming
 * classes again, then netfault's rules once more.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentBesideMockitoTests {

    /** Final: only the inline mock maker (Mockito 5's default) can mock it. */
    static final class PriceTable {
        int cents(String sku) {
            return 100;
        }

        static String currency() {
            return "EUR";
        }
    }

    static final class Clock {
        long now() {
            return 1;
        }
    }

    @Test
    @Order(1)
    void theJarUnderTestIsTheShadedOneAndTheClassPathHasAnotherByteBuddy() throws Exception {
        Path core = Path.of(SocketAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(core.getFileName().toString()).as("netfault-core on the class path must be the packaged jar (run with mvn verify)")
                .endsWith(".jar");
        try (JarFile jar = new JarFile(core.toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("net/") || n.contains("net/bytebuddy")))
                    .as("ByteBuddy unrelocated in netfault's jar").isEmpty();
            assertThat(jar.getEntry("dev/netfault/internal/shaded/bytebuddy/agent/builder/AgentBuilder.class")).isNotNull();
            assertThat(jar.getEntry("dev/netfault/internal/shaded/bytebuddy/agent/ByteBuddyAgent.class")).isNotNull();
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Premain-Class")).isEqualTo("dev.netfault.internal.agent.AgentEntry");
            assertThat(manifest.getValue("Agent-Class")).isEqualTo("dev.netfault.internal.agent.AgentEntry");
            assertThat(manifest.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(manifest.getValue("Automatic-Module-Name")).isEqualTo("dev.netfault.core");
        }
        Path byteBuddy = Path.of(Class.forName("net.bytebuddy.ByteBuddy").getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(byteBuddy.getFileName().toString()).isEqualTo("byte-buddy-" + System.getProperty("compat.bytebuddy.version") + ".jar");

        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of(System.getProperty("compat.core.pom")).toFile());
        XPath xpath = XPathFactory.newInstance().newXPath();
        assertThat(xpath.evaluate("/project/artifactId", pom)).isEqualTo("netfault-core");
        assertThat(xpath.evaluate("count(/project/dependencies/dependency)", pom)).as("the published POM lists the test dependencies")
                .isNotEqualTo("0");
        assertThat(xpath.evaluate("count(/project/dependencies/dependency[groupId='net.bytebuddy'])", pom))
                .as("ByteBuddy dependencies in the published netfault-core POM").isEqualTo("0");
    }

    @Test
    @Order(2)
    void mockitoMocksAFinalClassBeforeNetfaultsAgent() {
        PriceTable prices = mock(PriceTable.class);
        when(prices.cents("ABC-1")).thenReturn(1999);
        assertThat(prices.cents("ABC-1")).isEqualTo(1999);
        assertThat(prices.getClass()).as("an inline mock is of the class itself, not a subclass").isSameAs(PriceTable.class);
        assertThat(Mockito.mockingDetails(prices).isMock()).isTrue();
    }

    @Test
    @Order(3)
    void netfaultsAgentRedirectsAndRefuses() throws IOException {
        redirectsAndRefuses();
    }

    @Test
    @Order(4)
    void mockitoStillMocksFinalClassesAndStaticsAfterNetfaultsAgent() {
        Clock clock = mock(Clock.class);
        when(clock.now()).thenReturn(42L);
        assertThat(clock.now()).isEqualTo(42L);
        try (MockedStatic<PriceTable> statics = mockStatic(PriceTable.class)) {
            statics.when(PriceTable::currency).thenReturn("CHF");
            assertThat(PriceTable.currency()).isEqualTo("CHF");
        }
        assertThat(PriceTable.currency()).isEqualTo("EUR");
    }

    @Test
    @Order(5)
    void netfaultsRulesStillWorkAfterMockitoRetransformed() throws IOException {
        redirectsAndRefuses();
    }

    /** A connection to the target lands on the stand-in while redirected, is refused while refused, and reaches the target after. */
    @SuppressWarnings("try") // the rules act while open; the body does not name them
    private static void redirectsAndRefuses() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket target = new ServerSocket(0, 50, loopback); ServerSocket standIn = new ServerSocket(0, 50, loopback)) {
            target.setSoTimeout(10_000);
            standIn.setSoTimeout(10_000);
            InetSocketAddress targetAddress = new InetSocketAddress(loopback, target.getLocalPort());
            Target aim = Target.parse(loopback.getHostAddress() + ":" + target.getLocalPort());
            try (AgentRule redirect = SocketAgent.redirect(aim, new InetSocketAddress(loopback, standIn.getLocalPort()));
                    Socket client = new Socket()) {
                client.connect(targetAddress, 5_000);
                try (Socket accepted = standIn.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
                assertThat(client.getRemoteSocketAddress()).isEqualTo(targetAddress);
            }
            try (AgentRule refuse = SocketAgent.refuse(aim); Socket client = new Socket()) {
                assertThatThrownBy(() -> client.connect(targetAddress, 5_000)).isInstanceOf(ConnectException.class)
                        .hasMessageContaining("Connection refused");
            }
            try (Socket client = new Socket()) {
                client.connect(targetAddress, 5_000);
                try (Socket accepted = target.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }
        assertThat(SocketAgent.isInstalled()).isTrue();
    }
}
