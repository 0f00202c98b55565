package dev.netfault.junit;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.Journal;
import dev.netfault.junit.LeakedServerSockets.Leak;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@DisplayName("Cleanup after each test")
class CleanupTests {

    /**
     * Slack for file descriptors the JVM itself may open on the way (a jar it reads a class from for
     * the first time, a lazily created selector of its own): a handful, whatever the number of
     * tests. A leak of one descriptor per test would be 300 here.
     */
    private static final int JVM_SLACK = 5;

    @Test
    void closesEveryListenerConnectionAndHeldPortAfterEveryTestWhetherItPassesFailsOrIsAborted() throws IOException {
        runAndCloseWhatTheFixtureLeftOpen(); // warm-up: loads every class and starts the JVM's own helpers
        Leftovers.awaitNoNetfaultThreads();
        long baseline = Leftovers.openFileDescriptors();

        EngineExecutionResults results = runAndCloseWhatTheFixtureLeftOpen();

        int perMethod = ManyTestsFixture.REPETITIONS;
        long failed = 0;
        long aborted = 0;
        for (int repetition = 1; repetition <= perMethod; repetition++) {
            switch (ManyTestsFixture.outcome(repetition)) {
                case FAIL_IN_BEFORE_EACH, FAIL -> failed++;
                case ABORT -> aborted++;
                default -> { }
            }
        }
        int methods = ManyTestsFixture.METHODS;
        long expectedFailed = failed * methods;
        long expectedAborted = aborted * methods;
        results.testEvents().assertStatistics(stats -> stats.started(perMethod * methods)
                .failed(expectedFailed).aborted(expectedAborted).succeeded(perMethod * methods - expectedFailed - expectedAborted));

        Leftovers.awaitNoNetfaultThreads();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Leftovers.openFileDescriptors()).as("open file descriptors, %d before", baseline)
                        .isLessThanOrEqualTo(baseline + JVM_SLACK));
    }

    /**
     * Runs the fixtures; checks that the connections their tests left open were reset when their
     * listeners closed, and closes those client sockets. (Held ports are counted by the file
     * descriptors: whether each binds again after a run of 300 tests is up to the kernel, which may
     * have given its number to a later client socket, still in TIME_WAIT.)
     */
    private static EngineExecutionResults runAndCloseWhatTheFixtureLeftOpen() throws IOException {
        ManyTestsFixture.abandoned.clear();
        EngineExecutionResults results = Kit.runAll(ManyTestsFixture.class, LeakyFixture.class);

        int bodies = 0;
        for (int repetition = 1; repetition <= ManyTestsFixture.REPETITIONS; repetition++) {
            bodies += ManyTestsFixture.outcome(repetition) == Outcome.FAIL_IN_BEFORE_EACH ? 0 : 1;
        }
        assertThat(ManyTestsFixture.abandoned).as(Kit.describe(results)).hasSize(bodies);
        for (Socket client : ManyTestsFixture.abandoned) {
            try (client) {
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }
        return results;
    }

    enum Outcome { PASS, FAIL_IN_BEFORE_EACH, FAIL, ABORT }

    /** The fourth kind: on its own, as a leaky server contradicts the other fixture's class-level reset. */
    @Fixture
    static class LeakyFixture {

        @BeforeEach
        void setUp(RepetitionInfo repetition, HeldPort port) {
            ManyTestsFixture.failIfAsked(repetition);
        }

        @RepeatedTest(ManyTestsFixture.REPETITIONS)
        @LeakedServerSockets({Leak.CONNECTIONS, Leak.PORT})
        void leaksAConnectionAndHoldsAPort(FaultListener server, Journal journal, HeldPort port, RepetitionInfo repetition)
                throws IOException {
            assertThat(port.isHeld()).isTrue();
            try (Socket client = Sockets.connect(server.address())) {
                await().until(() -> journal.accepted() == 1);
            }
            ManyTestsFixture.end(repetition);
        }
    }

    /**
     * Five kinds of tests (one in {@link LeakyFixture}), 60 times each, with real connections. Some fail in {@code @BeforeEach}
     * (after the extension installed the faults), some fail at the end, some are aborted.
     */
    @Fixture
    @Reset(nthConnection = 1_000) // the class-level fault; the methods' own replace it, except in relaysAndPassesThrough
    static class ManyTestsFixture {

        static final int REPETITIONS = 60;
        static final int METHODS = 5;
        static final List<Socket> abandoned = new CopyOnWriteArrayList<>();

        static Outcome outcome(int repetition) {
            if (repetition % 10 == 0) {
                return Outcome.FAIL_IN_BEFORE_EACH;
            }
            if (repetition % 7 == 0) {
                return Outcome.FAIL;
            }
            return repetition % 11 == 0 ? Outcome.ABORT : Outcome.PASS;
        }

        @BeforeEach
        void setUp(RepetitionInfo repetition, Journal journal) {
            failIfAsked(repetition);
        }

        static void failIfAsked(RepetitionInfo repetition) {
            if (outcome(repetition.getCurrentRepetition()) == Outcome.FAIL_IN_BEFORE_EACH) {
                fail("deliberate failure in @BeforeEach");
            }
        }

        static void end(RepetitionInfo repetition) {
            Outcome outcome = outcome(repetition.getCurrentRepetition());
            if (outcome == Outcome.ABORT) {
                abort("deliberately aborted"); // an aborted fixture test: its faults must go all the same
            }
            if (outcome == Outcome.FAIL) {
                fail("deliberate failure");
            }
        }

        @RepeatedTest(REPETITIONS)
        @Reset
        void resetsOnAccept(FaultListener server, RepetitionInfo repetition) throws IOException {
            try (Socket client = Sockets.connect(server.address())) {
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            end(repetition);
        }

        @RepeatedTest(REPETITIONS)
        void relaysAndPassesThrough(FaultListener server, RepetitionInfo repetition) throws IOException {
            try (RecordingServer echo = RecordingServer.echo()) {
                server.proxyTo(echo.address());
                try (Socket client = Sockets.connect(server.address())) {
                    client.getOutputStream().write(42);
                    assertThat(client.getInputStream().read()).isEqualTo(42);
                }
            }
            end(repetition);
        }

        @RepeatedTest(REPETITIONS)
        @SlowAccept(neverAccept = true)
        void queuesConnectionsItNeverAccepts(FaultListener server, RepetitionInfo repetition) throws IOException {
            try (Socket first = Sockets.connect(server.address()); Socket second = Sockets.connect(server.address())) {
                assertThat(first.isConnected() && second.isConnected()).isTrue();
            }
            end(repetition);
        }

        /** Leaves its connection open: the listener must reset it when it closes after the test. */
        @RepeatedTest(REPETITIONS)
        @Reset(after = 1, unit = TimeUnit.HOURS)
        void abandonsAnOpenConnection(FaultListener server, Journal journal, RepetitionInfo repetition) throws IOException {
            Socket client = Sockets.connect(server.address());
            abandoned.add(client);
            client.getOutputStream().write(1);
            await().until(() -> journal.connection(1).map(c -> c.bytesFromClient() == 1).orElse(false));
            end(repetition);
        }
    }
}
