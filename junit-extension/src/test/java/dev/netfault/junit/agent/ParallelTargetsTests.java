package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.testsupport.EchoServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fixtures run with JUnit's parallel execution on. Tests that aim at the same target must take turns
 * (the extension's resource lock on the target); tests that aim at different targets run at the
 * same time and never see each other's faults.
 */
@DisplayName("parallel tests and their targets")
class ParallelTargetsTests {

    private static final String[] PARALLEL = {
        "junit.jupiter.execution.parallel.enabled=true",
        "junit.jupiter.execution.parallel.mode.default=concurrent",
        "junit.jupiter.execution.parallel.config.strategy=fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism=4",
    };
    /** How long a test waits to meet another one that runs at the same time. */
    private static final Duration MEETING = Duration.ofMillis(700);

    static final List<String> log = new CopyOnWriteArrayList<>();
    static CyclicBarrier meeting;
    static EchoServer first;
    static EchoServer second;
    static EchoServer third;

    @BeforeEach
    void reset() {
        log.clear();
        first = EchoServer.start();
        second = EchoServer.start();
        third = EchoServer.start();
    }

    @AfterEach
    void stopServers() throws IOException {
        first.close();
        second.close();
        third.close();
    }

    /** {@return whether another test arrived at the meeting point while this one waited} */
    static boolean meetsAnother() throws InterruptedException {
        try {
            meeting.await(MEETING.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | BrokenBarrierException e) {
            meeting.reset(); // a broken barrier would let the next test through without waiting
            return false;
        }
    }

    static void refused(String host, int port) {
        assertThatThrownBy(() -> new Socket(host, port).close()).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
    }

    static void served(EchoServer server) throws IOException {
        try (Socket socket = new Socket("localhost", server.port())) {
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("ping");
        }
    }

    /** Three tests aiming at 127.0.0.1 port 1, by name or by address: one resource lock. */
    @AgentKit.Fixture
    static class SameTarget {

        private static void takeTurn(String name) throws InterruptedException {
            log.add("start " + name);
            refused("localhost", 1);
            log.add(meetsAnother() ? "met another in " + name : "alone in " + name);
            log.add("end " + name);
        }

        @Test
        @RefuseConnections("localhost:1")
        void one() throws Exception {
            takeTurn("one");
        }

        @Test
        @RefuseConnections("localhost:1")
        void two() throws Exception {
            takeTurn("two");
        }

        @Test
        @RefuseConnections("127.0.0.1:1")
        void three() throws Exception {
            takeTurn("three");
        }
    }

    @Test
    void testsAimingAtTheSameTargetTakeTurns() {
        meeting = new CyclicBarrier(2);
        AgentKit.assertOutcomes(AgentKit.run(SameTarget.class, PARALLEL), 3, 0);
        assertThat(log).hasSize(9).noneMatch(line -> line.startsWith("met another"));
        for (int i = 0; i < 9; i += 3) {
            String name = log.get(i).substring("start ".length());
            assertThat(log.subList(i, i + 3)).as("one test's turn, uninterrupted").containsExactly("start " + name, "alone in " + name, "end " + name);
        }
    }

    /**
     * Two tests with rules made in code (no lock) on different targets, both in place at the meeting
     * point: each meets its own fault, not the other's, and an unrelated server stays reachable.
     */
    @AgentKit.Fixture
    @EnableNetFault
    static class DifferentTargets {

        @Test
        void timesOutTheFirstServer(NetFault netfault) throws Exception {
            netfault.timeOutConnections("localhost:" + first.port(), Duration.ZERO);
            log.add(meetsAnother() ? "met" : "alone");
            try (Socket socket = new Socket("localhost", first.port())) {
                assertThatThrownBy(() -> socket.getOutputStream().write(1))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection timed out");
            }
            served(third);
            meetsAnother(); // keep the rule in place until the other test has checked too
        }

        @Test
        void refusesTheSecondServer(NetFault netfault) throws Exception {
            netfault.refuse("localhost:" + second.port());
            log.add(meetsAnother() ? "met" : "alone");
            refused("localhost", second.port());
            served(third);
            meetsAnother();
        }
    }

    @Test
    void testsAimingAtDifferentTargetsRunTogetherAndMeetOnlyTheirOwnFaults() {
        meeting = new CyclicBarrier(2);
        AgentKit.assertOutcomes(AgentKit.run(DifferentTargets.class, PARALLEL), 2, 0);
        assertThat(log).containsExactly("met", "met");
        // the servers accept on their own threads: what they accepted shows up a moment after the clients connected
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(first.acceptedFrom()).as("connections to the first server").hasSize(1);
            assertThat(third.acceptedFrom()).as("connections to the unrelated server").hasSize(2);
        });
        assertThat(second.acceptedFrom()).as("connections to the second server").isEmpty();
    }

    /** Annotations with different hosts take different locks, so they run together. */
    @AgentKit.Fixture
    static class DifferentLocks {

        @Test
        @RefuseConnections("localhost:1")
        void refusesLocalhost() throws Exception {
            log.add(meetsAnother() ? "met" : "alone");
            refused("localhost", 1);
        }

        @Test
        @RefuseConnections("db.netfault.invalid:5432")
        void refusesAnotherHost() throws Exception {
            log.add(meetsAnother() ? "met" : "alone");
            served(first);
            refused("db.netfault.invalid", 5432);
        }
    }

    @Test
    void annotationsNamingDifferentHostsRunTogether() {
        meeting = new CyclicBarrier(2);
        AgentKit.assertOutcomes(AgentKit.run(DifferentLocks.class, PARALLEL), 2, 0);
        assertThat(log).containsExactly("met", "met");
    }
}
