package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.Connections;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.internal.Selections;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("which connections a fault selects")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionSelectionTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    /**
     * Opens {@code count} connections one after the other, each sending "ping" and reading the
     * answer. {@return the numbers (from 1) of those that were reset instead of answered}
     */
    private static List<Integer> resetAmong(FaultListener listener, int count) throws IOException {
        List<Integer> reset = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            try (Socket socket = connect(listener.address())) {
                try {
                    socket.getOutputStream().write("ping".getBytes(US_ASCII));
                    byte[] answer = socket.getInputStream().readNBytes(4);
                    assertThat(new String(answer, US_ASCII)).as("connection %d", i).isEqualTo("ping");
                } catch (SocketException e) {
                    assertThat(e.getMessage()).as("connection %d", i).isIn("Connection reset", "Connection reset by peer");
                    reset.add(i);
                }
            }
        }
        return reset;
    }

    /** {@return the numbers of the connections on which the listener's journal shows a reset} */
    private static List<Integer> journalledResets(FaultListener listener) {
        return listener.journal().connections().stream().filter(c -> c.fired(Effect.Reset.class)).map(c -> (int) c.id()).toList();
    }

    @Test
    void allSelectsEveryConnection() throws IOException {
        FaultListener listener = owned.echo(Fault.reset().on(Connections.all()));
        assertThat(resetAmong(listener, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void firstSelectsOnlyTheFirstNThenTheFaultHeals() throws IOException {
        FaultListener listener = owned.echo(Fault.reset().on(Connections.first(2)));
        assertThat(resetAmong(listener, 5)).containsExactly(1, 2);
        assertThat(journalledResets(listener)).containsExactly(1, 2);
    }

    @Test
    void nthSelectsOnlyThatConnection() throws IOException {
        FaultListener listener = owned.echo(Fault.reset().on(Connections.nth(3)));
        assertThat(resetAmong(listener, 5)).containsExactly(3);
    }

    @Test
    void everyNthSelectsTheNthThe2NthAndSoOn() throws IOException {
        FaultListener listener = owned.echo(Fault.reset().on(Connections.everyNth(3)));
        assertThat(resetAmong(listener, 7)).containsExactly(3, 6);
    }

    @Nested
    @DisplayName("with a probability, from the listener's seed")
    class Probability {

        private static final int CONNECTIONS = 24;

        private FaultListener seeded(long seed) {
            return owned.own(FaultListener.standalone().name("seed-" + seed).echo().seed(seed)
                    .fault(Fault.reset().on(Connections.withProbability(0.5))).start());
        }

        @Test
        void theSameSeedSelectsTheSameConnectionsInASecondRun() throws IOException {
            FaultListener first = seeded(42);
            List<Integer> firstRun = resetAmong(first, CONNECTIONS);
            FaultListener second = seeded(42);
            List<Integer> secondRun = resetAmong(second, CONNECTIONS);

            assertThat(secondRun).isEqualTo(firstRun);
            assertThat(firstRun).hasSizeBetween(1, CONNECTIONS - 1);
            assertThat(journalledResets(first)).isEqualTo(firstRun);
            assertThat(first.seed()).isEqualTo(42);
        }

        @Test
        void theSelectionIsTheOneConnectionsWithProbabilityDescribesForThatSeed() throws IOException {
            FaultListener listener = seeded(7);
            List<Integer> expected = IntStream.rangeClosed(1, CONNECTIONS).filter(i -> Selections.matches(Connections.withProbability(0.5), i, 7))
                    .boxed().toList();
            assertThat(resetAmong(listener, CONNECTIONS)).isEqualTo(expected);
        }

        @Test
        void anotherSeedSelectsOtherConnections() throws IOException {
            List<Integer> with42 = resetAmong(seeded(42), CONNECTIONS);
            List<Integer> with7 = resetAmong(seeded(7), CONNECTIONS);
            assertThat(with7).isNotEqualTo(with42);
        }

        @Test
        void aListenerWithoutASeedDrawsItsOwnAndReportsIt() {
            FaultListener one = owned.echo();
            FaultListener other = owned.echo();
            assertThat(one.seed()).isNotEqualTo(other.seed());
        }

        @Test
        void probabilityZeroSelectsNoneAndOneSelectsAll() throws IOException {
            FaultListener never = owned.echo(Fault.reset().on(Connections.withProbability(0)));
            FaultListener always = owned.echo(Fault.reset().on(Connections.withProbability(1)));
            assertThat(resetAmong(never, 5)).isEmpty();
            assertThat(resetAmong(always, 5)).containsExactly(1, 2, 3, 4, 5);
        }
    }
}
