package dev.netfault.junit.catalogue;

import static dev.netfault.testsupport.Waiting.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.netfault.Connections;
import dev.netfault.Effect;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.internal.Selections;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.NetFaultConfig;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@DisplayName("which connections an annotation selects")
class SelectionAnnotationsTests {

    /** What a connection saw: its echo, end of stream, or the failure's message. */
    private static String fate(Socket socket) {
        try {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(4);
            return answer.length == 0 ? "EOF" : new String(answer, US_ASCII);
        } catch (SocketException e) {
            return e.getMessage().startsWith("Connection reset") ? "reset" : e.getMessage();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** {@return the fate of {@code count} connections opened one after the other} */
    private static List<String> fates(FaultListener listener, int count) throws IOException {
        List<String> fates = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try (Socket socket = Sockets.connect(listener.address())) {
                fates.add(fate(socket));
            }
        }
        return fates;
    }

    @Nested
    @DisplayName("by position")
    class ByPosition {

        private RecordingServer peer;

        @BeforeEach
        void startTheServer() {
            peer = RecordingServer.echo();
        }

        @AfterEach
        void stopIt() {
            peer.close();
        }

        @Test
        @Reset(firstConnections = 2)
        void firstConnectionsResetsTheFirstNThenHeals(FaultListener listener) throws IOException {
            listener.proxyTo(peer.address());
            assertThat(fates(listener, 4)).containsExactly("reset", "reset", "ping", "ping");
        }

        @Test
        @Close(nthConnection = 3)
        void connectionClosesOnlyTheNth(FaultListener listener) throws IOException {
            listener.proxyTo(peer.address());
            assertThat(fates(listener, 4)).containsExactly("ping", "ping", "EOF", "ping");
        }

        @Test
        @Reset(everyNthConnection = 3)
        void everyNthConnectionResetsTheNthThe2NthAndSoOn(FaultListener listener) throws IOException {
            listener.proxyTo(peer.address());
            assertThat(fates(listener, 7)).containsExactly("ping", "ping", "reset", "ping", "ping", "reset", "ping");
        }
    }

    @Nested
    @DisplayName("with a probability, from the test's seed")
    class WithAProbability {

        @Test
        void theSameSeedSelectsTheSameConnectionsInTwoRuns() {
            ProbabilityFixture.RUNS.clear();
            Kit.assertAllSucceeded(Kit.run(ProbabilityFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=42"), 1);
            Kit.assertAllSucceeded(Kit.run(ProbabilityFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=42"), 1);

            assertThat(ProbabilityFixture.RUNS).hasSize(2);
            List<Integer> first = ProbabilityFixture.RUNS.get(0);
            assertThat(ProbabilityFixture.RUNS.get(1)).isEqualTo(first);
            assertThat(first).hasSizeBetween(1, ProbabilityFixture.CONNECTIONS - 1)
                    .isEqualTo(IntStream.rangeClosed(1, ProbabilityFixture.CONNECTIONS)
                            .filter(i -> Selections.matches(Connections.withProbability(0.5), i, 42)).boxed().toList());
        }

        @Test
        void anotherSeedSelectsOtherConnections() {
            ProbabilityFixture.RUNS.clear();
            Kit.assertAllSucceeded(Kit.run(ProbabilityFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=42"), 1);
            Kit.assertAllSucceeded(Kit.run(ProbabilityFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=7"), 1);

            assertThat(ProbabilityFixture.RUNS.get(1)).isNotEqualTo(ProbabilityFixture.RUNS.get(0));
        }

        @Test
        void aFailingTestReportsTheSeedItDrewFromAsASuppressedException() {
            EngineExecutionResults results = Kit.run(FailingFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=42");

            Throwable failure = Kit.failure(results, "givesUpAfterAReset");
            assertThat(failure).hasMessage("the application gave up");
            assertThat(withoutTimeline(failure)).singleElement().satisfies(seed -> assertThat(seed.getMessage())
                    .startsWith("netfault: this test's faults drew from seed 42")
                    .endsWith("Replay the run exactly with the configuration parameter netfault.seed=42 (for example -Dnetfault.seed=42)."));
        }

        @Test
        void withoutAConfiguredSeedTheReportedSeedIsTheListenersOwn() {
            EngineExecutionResults results = Kit.run(FailingFixture.class);

            Throwable failure = Kit.failure(results, "givesUpAfterAReset");
            assertThat(withoutTimeline(failure)).singleElement()
                    .satisfies(seed -> assertThat(seed.getMessage()).matches("netfault: this test's faults drew from seed -?\\d+\\. .*")
                            .contains("seed " + FailingFixture.lastSeed + "."));
        }

        @Test
        void latencyWithJitterIsRandomToo() {
            Throwable failure = Kit.failure(Kit.run(FailingFixture.class, NetFaultConfig.SEED_PROPERTY_NAME + "=-5"), "failsWithJitter");
            assertThat(withoutTimeline(failure)).singleElement()
                    .satisfies(seed -> assertThat(seed.getMessage()).startsWith("netfault: this test's faults drew from seed -5"));
        }

        @Test
        void aFailingTestWithoutRandomnessReportsNoSeed() {
            Throwable failure = Kit.failure(Kit.run(FailingFixture.class), "failsWithoutRandomness");
            assertThat(failure).hasMessage("no luck involved");
            assertThat(withoutTimeline(failure)).isEmpty();
        }
    }

    @Fixture
    static class ProbabilityFixture {

        static final int CONNECTIONS = 20;
        static final List<List<Integer>> RUNS = new CopyOnWriteArrayList<>();

        @Test
        @Reset(connectionProbability = 0.5)
        void recordsWhichConnectionsWereReset(FaultListener listener, Journal journal) throws IOException {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket socket = Sockets.connect(listener.address())) {
                    socket.setSoLinger(true, 0); // no TIME_WAIT for a connection that is only counted
                }
            }
            // Finished: reset by the fault, or closed by the client; either way its faults are in the journal.
            await().until(() -> journal.connections().size() == CONNECTIONS
                    && journal.connections().stream().allMatch(c -> c.closed().isPresent()));
            RUNS.add(journal.connections().stream().filter(c -> c.fired(Effect.Reset.class)).map(c -> (int) c.id()).toList());
        }
    }

    @Fixture
    static class FailingFixture {

        static volatile long lastSeed;

        @Test
        @Reset(connectionProbability = 0.5)
        void givesUpAfterAReset(FaultListener listener) {
            lastSeed = listener.seed();
            fail("the application gave up");
        }

        @Test
        @Latency(value = 100, jitter = 50)
        void failsWithJitter() {
            fail("late");
        }

        @Test
        @Reset(firstConnections = 1)
        void failsWithoutRandomness() {
            fail("no luck involved");
        }
    }

    /** The failure's suppressed exceptions, but for the fault timeline that every failed test with faults carries. */
    private static java.util.List<Throwable> withoutTimeline(Throwable failure) {
        return java.util.Arrays.stream(failure.getSuppressed()).filter(s -> !(s instanceof dev.netfault.junit.internal.report.NetFaultTimeline)).toList();
    }
}
