package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.ConnectionRecord;
import dev.netfault.Journal;
import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Blackhole;
import dev.netfault.junit.FailAccept;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.HalfClose;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.junit.Slice;
import dev.netfault.junit.SlowAccept;
import dev.netfault.junit.SlowClose;
import dev.netfault.junit.Stall;
import dev.netfault.junit.TimeOutConnections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Every annotation kind, aimed at shared and distinct targets, in a suite run at parallelism 16:
 * each test's faults reach exactly its own connections (its journal holds exactly the connections it
 * made), and a bystander target no rule names is never touched.
 */
@DisplayName("every annotation at parallelism 16")
class ParallelMixTests {

    private static final String[] PARALLEL_16 = {
        "junit.jupiter.execution.parallel.enabled=true",
        "junit.jupiter.execution.parallel.mode.default=concurrent",
        "junit.jupiter.execution.parallel.config.strategy=fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism=16",
    };
    static final String A = "127.0.0.21";
    static final String B = "127.0.0.22";
    static final String C = "127.0.0.23";
    static final String BYSTANDER = "127.0.0.30";
    /** Echo servers on each address, on ports known only at run time (targets name the host alone). */
    static final Map<String, ServerSocket> servers = new ConcurrentHashMap<>();

    static int port(String host) {
        return servers.get(host).getLocalPort();
    }

    static ServerSocket echoServer(String host) throws IOException {
        ServerSocket server = new ServerSocket(0, 200, InetAddress.getByName(host));
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the client reset or timed out: its test says so
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    // closed, or an accept failed under @FailAccept: the loop goes on while the server is open
                }
            }
        }, "parallel-mix-echo-" + host);
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /** Connects to {@code host} and records the local port, to find the connection in a journal. */
    static Socket connectRecording(String host, List<Integer> mine) throws IOException {
        Socket socket = new Socket(host, port(host));
        socket.setSoTimeout(10_000); // a connection the rule missed would otherwise wait forever on the echo server
        mine.add(socket.getLocalPort());
        return socket;
    }

    static void assertOwnConnectionsOnly(Journal journal, List<Integer> mine) {
        assertThat(journal.connections()).extracting(ConnectionRecord::client).extracting(InetSocketAddress::getPort)
                .as("the connections in this test's listener").containsExactlyInAnyOrderElementsOf(mine);
    }

    static void bystanderUntouched() throws IOException {
        try (Socket s = new Socket(BYSTANDER, port(BYSTANDER))) {
            s.getOutputStream().write(42);
            assertThat(s.getInputStream().read()).as("the bystander echoes").isEqualTo(42);
        }
    }

    @AgentKit.Fixture
    static class Mix {

        @RepeatedTest(3)
        @Reset(target = A)
        void reset(Journal journal) throws IOException {
            List<Integer> mine = new ArrayList<>();
            try (Socket s = connectRecording(A, mine)) {
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertOwnConnectionsOnly(journal, mine);
            bystanderUntouched();
        }

        @RepeatedTest(3)
        @Close(target = A)
        void close(Journal journal) throws IOException {
            List<Integer> mine = new ArrayList<>();
            try (Socket s = connectRecording(A, mine)) {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertOwnConnectionsOnly(journal, mine);
            bystanderUntouched();
        }

        @RepeatedTest(3)
        @TimeOutConnections(value = A, after = 50)
        void timeOut() throws IOException {
            try (Socket s = new Socket(A, port(A))) {
                s.setSoTimeout(5_000); // ETIMEDOUT comes first
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection timed out");
            }
            bystanderUntouched();
        }

        @RepeatedTest(3)
        @RefuseConnections(A)
        void refuse() throws IOException {
            assertThatThrownBy(() -> new Socket(A, port(A)).close()).isInstanceOf(ConnectException.class);
            bystanderUntouched();
        }

        @RepeatedTest(3)
        @Stall(target = B)
        void stall(Journal journal) throws IOException {
            oneConnection(B, journal);
        }

        @RepeatedTest(3)
        @Latency(value = 5, target = B)
        void latency(Journal journal) throws IOException {
            oneConnection(B, journal);
        }

        @RepeatedTest(3)
        @Bandwidth(bytesPerSecond = 100_000, target = B)
        void bandwidth(Journal journal) throws IOException {
            oneConnection(B, journal);
        }

        @RepeatedTest(3)
        @Slice(bytes = 1, target = B)
        void slice(Journal journal) throws IOException {
            oneConnection(B, journal);
        }

        @RepeatedTest(3)
        @SlowClose(value = 5, target = C)
        void slowClose(Journal journal) throws IOException {
            oneConnection(C, journal);
        }

        @RepeatedTest(3)
        @HalfClose(target = C)
        void halfClose(Journal journal) throws IOException {
            oneConnection(C, journal);
        }

        @RepeatedTest(3)
        @Blackhole(target = C)
        void blackhole(Journal journal) throws IOException {
            oneConnection(C, journal);
        }

        @RepeatedTest(3)
        @SlowAccept(delay = 10, target = C)
        void slowAccept(Journal journal) throws IOException {
            oneConnection(C, journal);
        }

        @RepeatedTest(3)
        @LeakedServerSockets(target = C)
        void leakedServerSockets(Journal journal) throws IOException {
            oneConnection(C, journal);
        }

        @RepeatedTest(3)
        @FailResolution("svc.netfault.invalid")
        void failResolution() throws IOException {
            assertThatThrownBy(() -> InetAddress.getByName("svc.netfault.invalid")).isInstanceOf(UnknownHostException.class);
            assertThat(InetAddress.getByName(BYSTANDER).getHostAddress()).isEqualTo(BYSTANDER);
        }

        @Test
        @FailAccept
        void failAccept() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                assertThatThrownBy(server::accept).isInstanceOf(IOException.class).hasMessage("Too many open files");
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
            bystanderUntouched();
        }

        private static void oneConnection(String host, Journal journal) throws IOException {
            List<Integer> mine = new ArrayList<>();
            try (Socket s = connectRecording(host, mine)) {
                assertThat(s.isConnected()).isTrue();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> journal.accepted() >= 1);
            }
            assertOwnConnectionsOnly(journal, mine);
            bystanderUntouched();
        }
    }

    @BeforeAll
    static void startServers() {
        for (String host : List.of(A, B, C, BYSTANDER)) {
            try {
                servers.put(host, echoServer(host));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @AfterAll
    static void stopServers() throws IOException {
        for (ServerSocket server : servers.values()) {
            server.close();
        }
    }

    @RepeatedTest(3)
    void everyTestMeetsExactlyItsOwnFaults() {
        AgentKit.assertOutcomes(AgentKit.run(Mix.class, PARALLEL_16), 14 * 3 + 1, 0);
    }
}
