package dev.netfault.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.junit.LeakedServerSockets.Leak;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@DisplayName("Misconfigured annotations")
class MisconfigurationTests {

    private static EngineExecutionResults results;

    @BeforeAll
    static void runTheMisconfiguredFixtureOnce() {
        MisconfiguredFixture.reached.set(0);
        results = Kit.run(MisconfiguredFixture.class);
    }

    static Stream<Arguments> misconfigurations() {
        String badUpstream = ": upstream must be host:port with a port from 1 to 65535, such as \"127.0.0.1:8080\", but was \"%s\"."
                + " Fix: give the real server's address, or leave upstream empty and call FaultListener.proxyTo(...) in @BeforeEach"
                + " when the port is known only at run time.";
        String twoTriggers = " sets both %s, but one reset fires at one point."
                + " Fix: keep one, or repeat @Reset for resets at several points (the first to fire wins).";
        String twoUpstreams = ": one test has one fault listener, so it relays to one upstream, but they name /127.0.0.1:1 and /127.0.0.1:2."
                + " Fix: give the upstream once, or on annotations that agree.";
        return Stream.of(
                arguments("negativeAfterBytesFromClient", "@Reset on method 'negativeAfterBytesFromClient()': afterBytesFromClient"
                        + " must be non-negative, but was -1. Fix: give the byte offset at which the reset fires (0 resets before the first byte)."),
                arguments("negativeAfterBytesToClient", "@Reset on method 'negativeAfterBytesToClient()': afterBytesToClient"
                        + " must be non-negative, but was -1. Fix: give the byte offset at which the reset fires (0 resets before the first byte)."),
                arguments("negativeAfter", "@Reset on method 'negativeAfter()': after must be non-negative, but was -5 milliseconds."
                        + " Fix: give the time after accept at which the reset fires."),
                arguments("negativeAfterInSeconds", "@Reset on method 'negativeAfterInSeconds()': after must be non-negative,"
                        + " but was -2 seconds. Fix: give the time after accept at which the reset fires."),
                arguments("negativeFirstConnections", "@Reset on method 'negativeFirstConnections()': firstConnections must be"
                        + " non-negative (0 means every connection), but was -1. Fix: give how many connections, from the first, are reset."),
                arguments("negativeConnection", "@Reset on method 'negativeConnection()': nthConnection must be non-negative"
                        + " (0 means every connection), but was -3. Fix: give the number of the one connection to reset, 1 for the first."),
                arguments("firstConnectionsAndConnection", "@Reset on method 'firstConnectionsAndConnection()' sets both"
                        + " firstConnections = 2 and nthConnection = 3, which select connections in two ways."
                        + " Fix: keep one, or repeat @Reset for each selection."),
                arguments("twoByteTriggers", "@Reset on method 'twoByteTriggers()'"
                        + twoTriggers.formatted("afterBytesFromClient = 1 and afterBytesToClient = 2")),
                arguments("aByteAndATimeTrigger", "@Reset on method 'aByteAndATimeTrigger()'"
                        + twoTriggers.formatted("afterBytesToClient = 1 and after = 5")),
                arguments("oneBadRepeatedReset", "@Reset on method 'oneBadRepeatedReset()': nthConnection must be non-negative"
                        + " (0 means every connection), but was -1. Fix: give the number of the one connection to reset, 1 for the first."),
                arguments("negativeAcceptDelay", "@SlowAccept on method 'negativeAcceptDelay()': delay must be non-negative,"
                        + " but was -5 milliseconds. Fix: give how long the listener waits before each accept."),
                arguments("neverWithADelay", "@SlowAccept on method 'neverWithADelay()': delay must be unset when neverAccept = true, but was 100."
                        + " Fix: remove delay (the listener never accepts) or neverAccept = true (it accepts one connection per delay)."),
                arguments("backlogZero", "@SlowAccept on method 'backlogZero()': backlog must be at least 1, but was 0."
                        + " Fix: Linux queues backlog + 1 connections; use 1 for the smallest queue."),
                arguments("leakLimitZero", "@LeakedServerSockets on method 'leakLimitZero()': limit must be at least 1, but was 0."
                        + " Fix: give the number of connections the server accepts and leaks before it stops accepting."),
                arguments("leakNothing", "@LeakedServerSockets on method 'leakNothing()': value must be non-empty, but was {}."
                        + " Fix: write @LeakedServerSockets(Leak.CONNECTIONS), (Leak.PORT) or both."),
                arguments("upstreamWithoutAPort", "@Reset on method 'upstreamWithoutAPort()'" + badUpstream.formatted("nohost")),
                arguments("upstreamWithoutAHost", "@Reset on method 'upstreamWithoutAHost()'" + badUpstream.formatted(":8080")),
                arguments("upstreamPortZero", "@Reset on method 'upstreamPortZero()'" + badUpstream.formatted("host:0")),
                arguments("upstreamPortTooLarge", "@Reset on method 'upstreamPortTooLarge()'" + badUpstream.formatted("host:99999")),
                arguments("upstreamPortNotANumber", "@SlowAccept on method 'upstreamPortNotANumber()'" + badUpstream.formatted("host:abc")),
                arguments("unresolvableUpstream", "@Reset on method 'unresolvableUpstream()': upstream host \"no-such-host.invalid\""
                        + " does not resolve. Fix: give an address or a resolvable host name."),
                arguments("leakyServerWithAReset", "@LeakedServerSockets on method 'leakyServerWithAReset()' contradicts @Reset"
                        + " on method 'leakyServerWithAReset()': a leaky server never serves its connections, so a reset would never fire."
                        + " Fix: test the reset and the leak in separate tests."),
                arguments("leakyServerWithASlowAccept", "@LeakedServerSockets on method 'leakyServerWithASlowAccept()' contradicts"
                        + " @SlowAccept on method 'leakyServerWithASlowAccept()': a leaky server accepts at once until its limit,"
                        + " so its accepts cannot also be slow. Fix: test the slow accept and the leak in separate tests."),
                arguments("twoUpstreams", "@SlowAccept on method 'twoUpstreams()' contradicts @Reset on method 'twoUpstreams()'"
                        + twoUpstreams),
                arguments("offLoopbackTarget", "@Reset on method 'offLoopbackTarget()' would relay the test's connections to"
                        + " 10.1.2.3:80 (10.1.2.3), which is not a loopback address: netfault keeps test traffic on this machine. Fix: run the"
                        + " server the test talks to on loopback (127.0.0.1, localhost, [::1]), or, if relaying to that host is really"
                        + " intended, set the configuration parameter netfault.allowNonLoopback=true."),
                arguments("offLoopbackUpstream", "@Latency on method 'offLoopbackUpstream()' would relay the test's connections to"
                        + " 192.0.2.1:80 (192.0.2.1), which is not a loopback address: netfault keeps test traffic on this machine. Fix: run the"
                        + " server the test talks to on loopback (127.0.0.1, localhost, [::1]), or, if relaying to that host is really"
                        + " intended, set the configuration parameter netfault.allowNonLoopback=true."),
                arguments("ipv6WithoutBrackets", "@RefuseConnections on method 'ipv6WithoutBrackets()': value must be \"host:port\","
                        + " \"host\" or \":port\", such as \"db.internal:5432\", but was \"::1:8080\". Fix: name where the application"
                        + " connects (an IPv6 address in a target must be written in brackets, but was \"::1:8080\": write \"[::1]:8080\""
                        + " for that address and port 8080, or \"[::1:8080]\" for the address on any port)."),
                arguments("refuseWithoutATarget", "@RefuseConnections on method 'refuseWithoutATarget()': value must name where the"
                        + " application connects, \"host:port\", \"host\" or \":port\", such as \"db.internal:5432\", but was empty. Fix: give"
                        + " the target; to refuse connections to the test's own fault listener, use @ListenerDown instead."),
                arguments("twoResetsWithTwoUpstreams", "@Reset on method 'twoResetsWithTwoUpstreams()' contradicts @Reset"
                        + " on method 'twoResetsWithTwoUpstreams()'" + twoUpstreams));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misconfigurations")
    void failsTheTestWithAnExtensionConfigurationExceptionThatNamesTheAnnotationTheRuleAndTheFix(String method, String message) {
        assertThat(Kit.failure(results, method)).isInstanceOf(ExtensionConfigurationException.class).hasMessage(message);
    }

    @Test
    void reportsAnUnresolvableUpstreamWithTheLookupFailureAsCause() {
        assertThat(Kit.failure(results, "unresolvableUpstream")).hasCauseInstanceOf(UnknownHostException.class);
    }

    @Test
    void failsBeforeBeforeEachMethodsAndLeavesNothingBehind() {
        assertThat(results.testEvents().failed().count()).as(Kit.describe(results)).isEqualTo(misconfigurations().count());
        assertThat(results.testEvents().succeeded().count()).isZero();
        assertThat(MisconfiguredFixture.reached).as("@BeforeEach and test bodies reached").hasValue(0);
        Leftovers.assertNoListenerThreads();
    }

    @Test
    void namesAClassLevelAnnotationByItsClass() {
        EngineExecutionResults classLevel = Kit.run(MisconfiguredClassFixture.class);
        assertThat(Kit.failure(classLevel, "resetOnALeakyServer")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@LeakedServerSockets on class 'MisconfiguredClassFixture' contradicts @Reset on method"
                        + " 'resetOnALeakyServer()': a leaky server never serves its connections, so a reset would never fire."
                        + " Fix: test the reset and the leak in separate tests.");
        assertThat(Kit.failure(classLevel, "inANestedClass")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@SlowAccept on class 'Inner': backlog must be at least 1, but was 0."
                        + " Fix: Linux queues backlog + 1 connections; use 1 for the smallest queue.");
        Leftovers.assertNoListenerThreads();
    }

    @Test
    void failsEveryTestAMisuseAppliesToNotOnlyTheFirst() {
        OneMisuseForManyTestsFixture.reached.set(0);
        EngineExecutionResults many = Kit.run(OneMisuseForManyTestsFixture.class);
        String message = "@Latency on class 'OneMisuseForManyTestsFixture': value must be non-negative, but was -1 milliseconds."
                + " Fix: give the latency to add.";
        for (String method : List.of("first", "second", "repeated", "inANestedClass")) {
            List<TestExecutionResult> outcomes = Kit.outcomes(many, method);
            assertThat(outcomes).as("results of %s()%n%s", method, Kit.describe(many))
                    .hasSize(method.equals("repeated") ? 3 : 1)
                    .allSatisfy(outcome -> assertThat(outcome.getThrowable().orElseThrow())
                            .isInstanceOf(ExtensionConfigurationException.class).hasMessage(message));
        }
        assertThat(many.testEvents().failed().count()).as(Kit.describe(many)).isEqualTo(6);
        assertThat(OneMisuseForManyTestsFixture.reached).as("test bodies reached").hasValue(0);
        Leftovers.assertNoListenerThreads();
    }

    @Test
    void acceptsCombinationsThatAgree() {
        Kit.assertAllSucceeded(Kit.run(AgreeingFixture.class), 4);
        Leftovers.assertNoListenerThreads();
    }

    @Fixture
    static class MisconfiguredFixture {

        static final AtomicInteger reached = new AtomicInteger();

        @BeforeEach
        void setUp(FaultListener server) {
            reached.incrementAndGet();
        }

        @Test
        @Reset(afterBytesFromClient = -1)
        void negativeAfterBytesFromClient() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(afterBytesToClient = -1)
        void negativeAfterBytesToClient() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(after = -5)
        void negativeAfter() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(after = -2, unit = TimeUnit.SECONDS)
        void negativeAfterInSeconds() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(firstConnections = -1)
        void negativeFirstConnections() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(nthConnection = -3)
        void negativeConnection() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(firstConnections = 2, nthConnection = 3)
        void firstConnectionsAndConnection() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(afterBytesFromClient = 1, afterBytesToClient = 2)
        void twoByteTriggers() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(afterBytesToClient = 1, after = 5)
        void aByteAndATimeTrigger() {
            reached.incrementAndGet();
        }

        @Test
        @Reset
        @Reset(nthConnection = -1)
        void oneBadRepeatedReset() {
            reached.incrementAndGet();
        }

        @Test
        @SlowAccept(delay = -5)
        void negativeAcceptDelay() {
            reached.incrementAndGet();
        }

        @Test
        @SlowAccept(neverAccept = true, delay = 100)
        void neverWithADelay() {
            reached.incrementAndGet();
        }

        @Test
        @SlowAccept(backlog = 0)
        void backlogZero() {
            reached.incrementAndGet();
        }

        @Test
        @LeakedServerSockets(limit = 0)
        void leakLimitZero() {
            reached.incrementAndGet();
        }

        @Test
        @LeakedServerSockets({})
        void leakNothing() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = "nohost")
        void upstreamWithoutAPort() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = ":8080")
        void upstreamWithoutAHost() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = "host:0")
        void upstreamPortZero() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = "host:99999")
        void upstreamPortTooLarge() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(target = "10.1.2.3:80")
        void offLoopbackTarget() {
            reached.incrementAndGet();
        }

        @Test
        @Latency(value = 10, upstream = "192.0.2.1:80")
        void offLoopbackUpstream() {
            reached.incrementAndGet();
        }

        @Test
        @RefuseConnections("::1:8080")
        void ipv6WithoutBrackets() {
            reached.incrementAndGet();
        }

        @Test
        @RefuseConnections(" ")
        void refuseWithoutATarget() {
            reached.incrementAndGet();
        }

        @Test
        @SlowAccept(upstream = "host:abc")
        void upstreamPortNotANumber() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = "no-such-host.invalid:80") // .invalid never resolves (RFC 2606)
        void unresolvableUpstream() {
            reached.incrementAndGet();
        }

        @Test
        @LeakedServerSockets
        @Reset
        void leakyServerWithAReset() {
            reached.incrementAndGet();
        }

        @Test
        @LeakedServerSockets
        @SlowAccept
        void leakyServerWithASlowAccept() {
            reached.incrementAndGet();
        }

        @Test
        @SlowAccept(upstream = "127.0.0.1:1")
        @Reset(upstream = "127.0.0.1:2")
        void twoUpstreams() {
            reached.incrementAndGet();
        }

        @Test
        @Reset(upstream = "127.0.0.1:1")
        @Reset(upstream = "127.0.0.1:2")
        void twoResetsWithTwoUpstreams() {
            reached.incrementAndGet();
        }
    }

    @Fixture
    @LeakedServerSockets
    static class MisconfiguredClassFixture {

        @Test
        @Reset
        void resetOnALeakyServer() {
        }

        @Nested
        @SlowAccept(backlog = 0)
        @LeakedServerSockets(Leak.PORT)
        class Inner {
            @Test
            void inANestedClass() {
            }
        }
    }

    @Fixture
    @Latency(-1)
    static class OneMisuseForManyTestsFixture {

        static final AtomicInteger reached = new AtomicInteger();

        @Test
        void first() {
            reached.incrementAndGet();
        }

        @Test
        void second() {
            reached.incrementAndGet();
        }

        @RepeatedTest(3)
        void repeated() {
            reached.incrementAndGet();
        }

        @Nested
        class Inner {
            @Test
            void inANestedClass() {
                reached.incrementAndGet();
            }
        }
    }

    @Fixture
    static class AgreeingFixture {

        @Test
        @SlowAccept(delay = 0, upstream = "127.0.0.1:1")
        @Reset(after = 1, unit = TimeUnit.HOURS, upstream = "127.0.0.1:1")
        void twoAnnotationsNamingTheSameUpstream(FaultListener server) {
            assertThat(server.upstream()).contains(new InetSocketAddress("127.0.0.1", 1));
        }

        @Test
        @SlowAccept(upstream = "127.0.0.1:1")
        @Reset
        void anUpstreamGivenOnce(FaultListener server) {
            assertThat(server.upstream()).contains(new InetSocketAddress("127.0.0.1", 1));
        }

        @Test
        @LeakedServerSockets(value = Leak.PORT, limit = 0) // the limit only counts leaked connections
        @Reset
        void aHeldPortWithAReset(FaultListener server, HeldPort port) {
            assertThat(port.isHeld()).isTrue();
            assertThat(server.faults()).hasSize(1);
        }

        @Test
        @Reset(afterBytesFromClient = 0, firstConnections = 0, nthConnection = 0, after = Reset.UNSET)
        void zeroOffsetsAndSelections(FaultListener server) {
            assertThat(server.faults()).hasSize(1);
        }
    }
}
