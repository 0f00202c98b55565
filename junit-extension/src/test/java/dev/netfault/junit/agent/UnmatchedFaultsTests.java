package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.junit.TimeOutConnections;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;

/** Never silently miss: a fault aimed at a target that reached nothing fails the test, or is reported when asked. */
@DisplayName("a fault that reached nothing")
class UnmatchedFaultsTests {

    @AgentKit.Fixture
    @EnableNetFault
    static class Missing {

        @Test
        @RefuseConnections("db.netfault.invalid:5432")
        void refusesButNeverConnects() {
            assertThat(1).isEqualTo(1); // the application under test never connected to the target
        }

        @Test
        @FailResolution("payments.netfault.invalid")
        void failsLookupsButNeverResolves() {
            assertThat(1).isEqualTo(1);
        }

        @Test
        @RefuseConnections("db.netfault.invalid:5432")
        void refusesAndConnects() {
            assertThatThrownBy(() -> new Socket("db.netfault.invalid", 5432).close()).isInstanceOf(ConnectException.class);
        }

        @Test
        @FailResolution("payments.netfault.invalid")
        void failsAndResolves() {
            assertThatThrownBy(() -> InetAddress.getByName("payments.netfault.invalid")).isInstanceOf(UnknownHostException.class);
        }

        @Test
        @TimeOutConnections("db.netfault.invalid:5432")
        void failsOnItsOwnAndMissesToo() {
            throw new AssertionError("the test's own failure");
        }

        @Test
        void aRuleMadeInCode(NetFault netfault) {
            netfault.refuse("db.netfault.invalid:6543");
        }
    }

    @Test
    void failsTheTestWithTheRuleWhatItCountedTheCausesAndTheFix() {
        EngineExecutionResults results = AgentKit.run(Missing.class);
        AgentKit.assertOutcomes(results, 2, 4);
        assertThat(AgentKit.failureOf(results, "refusesButNeverConnects")).isInstanceOf(AssertionFailedError.class)
                .hasMessageStartingWith("netfault: a fault of this test reached nothing it was aimed at, so the test proved nothing about it:\n"
                        + "  - @RefuseConnections on method 'refusesButNeverConnects()': refuse db.netfault.invalid:5432")
                .hasMessageContaining("(0 connect(s))\nLikely causes:\n  1. The application's connections were opened before the agent")
                .hasMessageContaining("put @EnableNetFault on the test class")
                .hasMessageContaining("transport that\n     bypasses the JDK's sockets")
                .hasMessageContaining("The target does not match what the application used")
                .hasMessageEndingWith("set the configuration parameter netfault.unmatched=warn.");
        assertThat(AgentKit.failureOf(results, "failsLookupsButNeverResolves"))
                .hasMessageContaining("  - @FailResolution on method 'failsLookupsButNeverResolves()': fail resolving payments.netfault.invalid"
                        + " (0 lookup(s) failed)");
        assertThat(AgentKit.failureOf(results, "aRuleMadeInCode"))
                .hasMessageContaining("  - NetFault.refuse(\"db.netfault.invalid:6543\"): refuse db.netfault.invalid:6543");
        Throwable own = AgentKit.failureOf(results, "failsOnItsOwnAndMissesToo");
        assertThat(own).hasMessage("the test's own failure");
        assertThat(own.getSuppressed()).filteredOn(s -> !(s instanceof dev.netfault.junit.internal.report.NetFaultTimeline)).singleElement().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                .hasMessageContaining("@TimeOutConnections on method 'failsOnItsOwnAndMissesToo()'");
    }

    @Test
    void withWarnItPassesAndPublishesTheSameTextAsAReportEntry() {
        EngineExecutionResults results = AgentKit.run(Missing.class, "netfault.unmatched=warn");
        AgentKit.assertOutcomes(results, 5, 1);
        List<Map<String, String>> entries = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()).toList();
        assertThat(entries).filteredOn(e -> e.containsKey("netfault.unmatched")).hasSize(4)
                .allSatisfy(e -> assertThat(e.get("netfault.unmatched")).startsWith("netfault: a fault of this test reached nothing"));
    }

    @Test
    void aModeOtherThanFailOrWarnIsAConfigurationError() {
        EngineExecutionResults results = AgentKit.run(Missing.class, "netfault.unmatched=ignore");
        assertThat(AgentKit.failureOf(results, "refusesButNeverConnects"))
                .hasMessage("Configuration parameter netfault.unmatched must be fail or warn, but was \"ignore\". Fix: set it to warn"
                        + " to report faults that reached nothing instead of failing the test, or remove it.");
    }

    static EchoServer server;
    static Socket warm;

    /** A "pool" opened in @BeforeAll: the class aims at targets, so the agent saw it open. */
    @AgentKit.Fixture
    @EnableNetFault
    static class WarmPool {

        @BeforeAll
        static void openThePool() throws IOException {
            server = EchoServer.start();
            warm = new Socket("localhost", server.port());
            warm.getOutputStream().write(1);
            assertThat(warm.getInputStream().read()).isEqualTo(1);
        }

        @AfterAll
        static void closeThePool() throws IOException {
            warm.close();
            server.close();
        }

        @Test
        void aTimeOutReachesAConnectionOpenedBeforeTheTest(NetFault netfault) throws IOException {
            netfault.timeOutConnections("localhost:" + server.port(), Duration.ofMillis(100));
            warm.setSoTimeout(5_000);
            assertThatThrownBy(() -> warm.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
        }
    }

    @Test
    void aRuleReachesAConnectionOfTheClassOpenedBeforeTheTestAndThatCounts() {
        AgentKit.assertOutcomes(AgentKit.run(WarmPool.class), 1, 0);
    }
}
