package dev.netfault.junit;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@DisplayName("Tests that run in parallel")
class ParallelExecutionTests {

    @Test
    void eachSeeOnlyTheirOwnFaults() {
        ParallelFixture.prepare();
        EngineExecutionResults results = Kit.run(ParallelFixture.class,
                "junit.jupiter.execution.parallel.enabled=true",
                "junit.jupiter.execution.parallel.mode.default=concurrent",
                "junit.jupiter.execution.parallel.config.strategy=fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism=" + ParallelFixture.TESTS);

        Kit.assertAllSucceeded(results, ParallelFixture.TESTS);
        // every test reached the barrier with its listener open (a test fails if the others do not come):
        // they ran at the same time, on their own threads, each with its own listener
        assertThat(ParallelFixture.threads).hasSize(ParallelFixture.TESTS);
        assertThat(ParallelFixture.ports).hasSize(ParallelFixture.TESTS);
        Leftovers.assertNoListenerThreads();
    }

    @Fixture
    static class ParallelFixture {

        static final byte[] GREETING = Bytes.pattern(1000);

        static final int TESTS = 5;
        static final int CONNECTIONS = 20;
        static final Set<String> threads = ConcurrentHashMap.newKeySet();
        static final Set<Integer> ports = ConcurrentHashMap.newKeySet();
        static volatile CyclicBarrier allListening;

        static void prepare() {
            threads.clear();
            ports.clear();
            allListening = new CyclicBarrier(TESTS);
        }

        /** Waits until every test of the fixture has its faults installed, so that they really overlap. */
        private static void together(FaultListener server) throws Exception {
            threads.add(Thread.currentThread().getName());
            ports.add(server.port());
            allListening.await(10, TimeUnit.SECONDS);
        }

        @Test
        @Reset
        void resetsEveryConnection(FaultListener server, Journal journal) throws Exception {
            together(server);
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket client = Sockets.connect(server.address())) {
                    assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
            await().untilAsserted(() -> assertThat(journal.connections()).hasSize(CONNECTIONS)
                    .allSatisfy(c -> assertThat(c.listenerClosure()).isEqualTo(Closure.RST)));
        }

        /** The reset is 1 MiB away: this test's traffic passes through untouched. */
        @Test
        @Reset(afterBytesFromClient = 1 << 20)
        void passesEverythingThrough(FaultListener server, Journal journal) throws Exception {
            try (RecordingServer echo = RecordingServer.echo()) {
                server.proxyTo(echo.address());
                together(server);
                byte[] message = Arrays.copyOf(GREETING, 100);
                for (int i = 0; i < CONNECTIONS; i++) {
                    try (Socket client = Sockets.connect(server.address())) {
                        client.getOutputStream().write(message);
                        assertThat(Clients.readExactly(client, message.length)).isEqualTo(message);
                    }
                }
            }
            await().untilAsserted(() -> assertThat(journal.connections()).hasSize(CONNECTIONS).allSatisfy(c -> {
                assertThat(c.faults()).isEmpty();
                assertThat(c.bytesToClient()).isEqualTo(100);
                assertThat(c.listenerClosure()).isNotEqualTo(Closure.RST);
            }));
        }

        @Test
        @Reset(afterBytesToClient = 50)
        void truncatesEveryResponse(FaultListener server) throws Exception {
            try (RecordingServer upstream = RecordingServer.sending(GREETING)) {
                server.proxyTo(upstream.address());
                together(server);
                for (int i = 0; i < CONNECTIONS; i++) {
                    try (Socket client = Sockets.connect(server.address())) {
                        Received received = Sockets.readUntilEnd(client);
                        assertThat(received.bytes()).isEqualTo(Arrays.copyOf(GREETING, 50));
                        assertThat(received.failure()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
                    }
                }
            }
        }

        @Test
        @SlowAccept(neverAccept = true, fillAcceptQueue = true)
        void letsConnectsTimeOut(FaultListener server, Journal journal) throws Exception {
            together(server);
            for (int i = 0; i < 2; i++) {
                try (Socket client = new Socket()) {
                    assertThatThrownBy(() -> client.connect(server.address(), 300))
                            .isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
                }
            }
            assertThat(journal.accepted()).isZero();
        }

        @Test
        @LeakedServerSockets
        void leaksItsConnection(FaultListener server, Journal journal) throws Exception {
            together(server);
            try (Socket client = Sockets.connect(server.address())) {
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
            await().untilAsserted(() -> assertThat(journal.connections()).singleElement()
                    .satisfies(c -> assertThat(c.leaked()).isTrue()));
        }
    }
}
