package dev.netfault;

import static dev.netfault.Clients.awaitAccepted;
import static dev.netfault.Clients.awaitFinished;
import static dev.netfault.Clients.randomBytes;
import static dev.netfault.Clients.threadsNamed;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.JournalEvent.Type;
import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("after close(): faults end, relayed connections live on as plain pass-through")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PassThroughAfterCloseTests {

    /** Far longer than any read in these tests waits ({@link dev.netfault.testsupport.Sockets#PATIENCE}): a fault still in force fails them. */
    private static final Duration FOREVER = Duration.ofSeconds(120);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void release() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private FaultListener listenerInFrontOf(RecordingServer upstream, String name, Fault... faults) {
        return closeLater(FaultListener.inFrontOf(upstream.address()).name(name).fault(faults).start());
    }

    /** Writes {@code data} from another thread (a large write blocks until the peer reads) and reads as much back. */
    private static byte[] echoed(Socket socket, byte[] data) throws Exception {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] back = socket.getInputStream().readNBytes(data.length);
        writing.get();
        return back;
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static Stream<Arguments> faultsInForceAtClose() {
        return Stream.of(
                Arguments.of("latency", Fault.latency(FOREVER, Duration.ZERO)),
                Arguments.of("delay", Fault.delay(FOREVER)),
                Arguments.of("bandwidth", Fault.bandwidth(100)),
                Arguments.of("slices", Fault.slice(1, FOREVER)),
                Arguments.of("stall", Fault.stall().afterBytes(Direction.TO_CLIENT, 10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsInForceAtClose")
    void shapingAndStallsEndAndTheBytesTheyHeldArriveIntactAndInOrder(String name, Fault fault) throws Exception {
        RecordingServer echo = closeLater(RecordingServer.echo());
        FaultListener listener = listenerInFrontOf(echo, "pass-" + name, fault);
        Socket socket = closeLater(connect(listener.address()));
        byte[] first = "0123456789".getBytes(StandardCharsets.US_ASCII);
        if (fault.trigger() instanceof Trigger.AfterBytes) {
            assertThat(echoed(socket, first)).isEqualTo(first); // the stall fires at byte 10 towards the client
        }
        byte[] held = randomBytes(4_000, 1);
        socket.getOutputStream().write(held);
        // Not one byte comes back while the fault holds it (bandwidth: 100 B/s lets 2 out per 20 ms at most).
        assertThat(socket.getInputStream().available()).as("bytes back before close").isLessThan(100);

        listener.close();

        assertThat(socket.getInputStream().readNBytes(held.length)).as("what the fault held, in order").isEqualTo(held);
        byte[] more = randomBytes(3 * 1024 * 1024, 2);
        assertThat(echoed(socket, more)).as("3 MiB more, both ways").isEqualTo(more);
        assertThat(echo.connection(0).received()).hasSize(first.length * (fault.trigger() instanceof Trigger.AfterBytes ? 1 : 0)
                + held.length + more.length);
    }

    @Test
    void aResetAfterBytesThatHadNotFiredNeverFires() throws Exception {
        RecordingServer echo = closeLater(RecordingServer.echo());
        FaultListener listener = listenerInFrontOf(echo, "pass-reset", Fault.reset().afterBytes(Direction.FROM_CLIENT, 1_000));
        Socket socket = closeLater(connect(listener.address()));
        byte[] before = randomBytes(999, 3);
        assertThat(echoed(socket, before)).isEqualTo(before);

        listener.close();

        byte[] after = randomBytes(1024 * 1024, 4);
        assertThat(echoed(socket, after)).as("1 MiB across the reset's offset, both ways").isEqualTo(after);
        ConnectionRecord connection = listener.journal().connection(1).orElseThrow();
        assertThat(connection.faults()).isEmpty();
        assertThat(connection.listenerClosure()).isEqualTo(Closure.OPEN);
        assertThat(listener.journal().events()).extracting(JournalEvent::type)
                .containsSubsequence(Type.ACCEPTED, Type.UPSTREAM_CONNECTED, Type.RELEASED, Type.LISTENER_CLOSED)
                .doesNotContain(Type.FAULT_FIRED, Type.SENT_RST);
    }

    @Test
    void aFaultAfterADurationNeverFires() throws Exception {
        RecordingServer echo = closeLater(RecordingServer.echo());
        FaultListener listener = listenerInFrontOf(echo, "pass-timed", Fault.reset().after(Duration.ofMillis(300)));
        Socket socket = closeLater(connect(listener.address()));
        awaitAccepted(listener.journal(), 1);

        listener.close();

        // Well past the 300 ms: the connection still echoes, round trip after round trip.
        long until = System.nanoTime() + Duration.ofMillis(900).toNanos();
        int rounds = 0;
        while (System.nanoTime() < until) {
            byte[] ping = ("ping " + rounds++).getBytes(StandardCharsets.US_ASCII);
            assertThat(echoed(socket, ping)).isEqualTo(ping);
        }
        assertThat(listener.journal().connection(1).orElseThrow().faults()).isEmpty();
    }

    @Test
    void aSlowCloseEndsAndTheFinPassesOnAtOnce() throws Exception {
        RecordingServer echo = closeLater(RecordingServer.echo());
        FaultListener listener = listenerInFrontOf(echo, "pass-slow-close", Fault.slowClose(FOREVER));
        Socket socket = closeLater(connect(listener.address()));
        byte[] data = "last words".getBytes(StandardCharsets.US_ASCII);
        assertThat(echoed(socket, data)).isEqualTo(data);
        socket.shutdownOutput();
        awaitEvent(listener, Type.CLIENT_FIN);
        assertThat(echo.connection(0).readEnd()).as("the FIN is held back").isEmpty();

        listener.close();

        assertThat(echo.connection(0).receivedUntilEnd()).isEqualTo(data);
        assertThat(echo.connection(0).readEnd()).contains("EOF");
        assertThat(socket.getInputStream().read()).as("the upstream's own FIN, passed on").isEqualTo(-1);
    }

    private static void awaitEvent(FaultListener listener, Type type) {
        await().atMost(PATIENCE).until(() -> listener.journal().events().stream().anyMatch(e -> e.type() == type));
    }

    @Test
    void whatAFaultAlreadyDidStaysDone() throws Exception {
        RecordingServer reading = closeLater(RecordingServer.reading());
        FaultListener listener = listenerInFrontOf(reading, "pass-half-closed", Fault.halfClose().in(Direction.TO_CLIENT));
        Socket socket = closeLater(connect(listener.address()));
        assertThat(socket.getInputStream().read()).as("half-closed towards the client").isEqualTo(-1);
        socket.getOutputStream().write("before ".getBytes(StandardCharsets.US_ASCII));

        listener.close();

        socket.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
        socket.shutdownOutput();
        assertThat(new String(reading.connection(0).receivedUntilEnd(), StandardCharsets.US_ASCII)).isEqualTo("before after");
        assertThat(socket.getInputStream().read()).as("still half-closed").isEqualTo(-1);
    }

    @Test
    void aConnectionStillConnectingToTheUpstreamIsRelayedOnceConnected() throws Exception {
        RecordingServer echo = closeLater(RecordingServer.echo());
        FaultListener listener = listenerInFrontOf(echo, "pass-many", Fault.reset().afterBytes(Direction.TO_CLIENT, 1));
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sockets.add(closeLater(connect(listener.address())));
        }
        awaitAccepted(listener.journal(), 20); // a connection still in the accept queue is reset with the port

        listener.close(); // some relays may still be connecting to the upstream

        for (Socket socket : sockets) {
            byte[] data = randomBytes(10_000, sockets.indexOf(socket));
            assertThat(echoed(socket, data)).isEqualTo(data);
        }
        assertThat(listener.journal().events()).extracting(JournalEvent::type).filteredOn(Type.RELEASED::equals).hasSize(20);
    }

    @Nested
    @DisplayName("close() itself")
    class CloseItself {

        @Test
        void releasesThePortAtOnceWithoutWaitingForTheConnectionsThatLiveOn() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener listener = listenerInFrontOf(echo, "pass-port");
            Socket socket = closeLater(connect(listener.address()));
            awaitAccepted(listener.journal(), 1);
            InetSocketAddress address = listener.address();

            listener.close();

            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            try (ServerSocket rebound = new ServerSocket()) {
                rebound.bind(address); // nothing listens there any more
                assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
            }
            assertThat(threadsNamed("netfault-pass-port-")).as("the thread still relays the live connection").hasSize(1);
            assertThat(echoed(socket, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            assertThat(listener.journal().events()).filteredOn(e -> e.type() == Type.LISTENER_CLOSED).singleElement()
                    .extracting(JournalEvent::detail).isEqualTo("1 connection relayed on as plain pass-through");
        }

        @Test
        void endsTheThreadAndReleasesEveryDescriptorOnceTheLastConnectionEnds() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            long descriptorsBefore = openFileDescriptors();
            FaultListener listener = listenerInFrontOf(echo, "pass-release", Fault.latency(Duration.ofMillis(1), Duration.ZERO));
            Socket first = connect(listener.address());
            Socket second = connect(listener.address());
            assertThat(echoed(first, new byte[] {7})).containsExactly(7);
            assertThat(echoed(second, new byte[] {8})).containsExactly(8);
            String name = "netfault-pass-release-" + listener.port();
            List<Thread> loops = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(name) || t.getName().startsWith(name + "-")).toList();
            assertThat(loops).as("the listener's loop threads").isNotEmpty()
                    .as("a JVM that never closes those connections can still exit").allMatch(Thread::isDaemon);

            listener.close();
            first.close();

            assertThat(echoed(second, new byte[] {9})).containsExactly(9);
            assertThat(threadsNamed(name)).as("one connection still relays").isNotEmpty();
            second.close();
            // a loop's thread carries the loop's name while it runs it, and is handed back to wait for another loop after
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsNamed(name)).isEmpty());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(openFileDescriptors()).isLessThanOrEqualTo(descriptorsBefore));
            assertThat(listener.journal().connections()).allSatisfy(c -> assertThat(c.closed()).isPresent());
        }

        @Test
        void resetsEverythingWhenBuiltToResetConnectionsOnClose() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener listener = closeLater(FaultListener.inFrontOf(echo.address()).name("pass-opt-out")
                    .resetConnectionsOnClose().start());
            Socket socket = closeLater(connect(listener.address()));
            assertThat(echoed(socket, new byte[] {1})).containsExactly(1);

            listener.close();

            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(echo.connection(0).receivedUntilEnd()).containsExactly(1);
            assertThat(listener.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.RST);
            assertThat(threadsNamed("netfault-pass-opt-out-")).isEmpty();
        }
    }

    @Nested
    @DisplayName("closing either side afterwards closes the other, the same way")
    class ClosingAfterwards {

        /** An upstream that echoes until it reads {@code F} (then closes: FIN) or {@code R} (then resets: RST). */
        private RecordingServer closingOnCommand() {
            return closeLater(RecordingServer.start((socket, connection) -> {
                InputStream in = socket.getInputStream();
                for (int b; (b = in.read()) >= 0; ) {
                    if (b == 'R') {
                        socket.setSoLinger(true, 0);
                        return;
                    }
                    if (b == 'F') {
                        return;
                    }
                    socket.getOutputStream().write(b);
                }
            }));
        }

        private Socket openThenClose(RecordingServer upstream, String name) throws Exception {
            FaultListener listener = listenerInFrontOf(upstream, name, Fault.reset().afterBytes(Direction.TO_CLIENT, 1_000));
            Socket socket = closeLater(connect(listener.address()));
            assertThat(echoed(socket, new byte[] {'a', 'b'})).containsExactly('a', 'b');
            listener.close();
            return socket;
        }

        @Test
        void theClientsFinReachesTheUpstream() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener listener = listenerInFrontOf(echo, "pass-client-fin", Fault.reset().afterBytes(Direction.TO_CLIENT, 1_000));
            Socket socket = closeLater(connect(listener.address()));
            assertThat(echoed(socket, new byte[] {'x'})).containsExactly('x');
            listener.close();

            socket.shutdownOutput();

            assertThat(echo.connection(0).receivedUntilEnd()).containsExactly('x');
            assertThat(echo.connection(0).readEnd()).contains("EOF");
            assertThat(socket.getInputStream().read()).as("the echo server's FIN in return").isEqualTo(-1);
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.clientClosure()).isEqualTo(Closure.FIN);
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
        }

        @Test
        void theClientsResetReachesTheUpstream() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener listener = listenerInFrontOf(echo, "pass-client-rst", Fault.reset().afterBytes(Direction.TO_CLIENT, 1_000));
            Socket socket = connect(listener.address());
            assertThat(echoed(socket, new byte[] {'x'})).containsExactly('x');
            listener.close();

            socket.setSoLinger(true, 0);
            socket.close();

            await().atMost(PATIENCE).until(() -> echo.connection(0).readEnd().isPresent());
            assertThat(echo.connection(0).readEnd()).contains("SocketException: Connection reset");
            assertThat(awaitFinished(listener.journal(), 1).clientClosure()).isEqualTo(Closure.RST);
        }

        @Test
        void theUpstreamsFinReachesTheClient() throws Exception {
            Socket socket = openThenClose(closingOnCommand(), "pass-upstream-fin");

            socket.getOutputStream().write('F');

            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }

        @Test
        void theUpstreamsResetReachesTheClient() throws Exception {
            Socket socket = openThenClose(closingOnCommand(), "pass-upstream-rst");

            socket.getOutputStream().write('R');

            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
    }

    @Test
    void aStandAloneListenerHasNothingToRelayToAndResetsItsConnections() throws Exception {
        FaultListener echoing = closeLater(FaultListener.standalone().echo().name("pass-standalone").start());
        Socket socket = closeLater(connect(echoing.address()));
        assertThat(echoed(socket, new byte[] {5})).containsExactly(5);

        echoing.close();

        assertThatThrownBy(() -> socket.getInputStream().read())
                .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(threadsNamed("netfault-pass-standalone-")).isEmpty();
        assertThat(echoing.journal().events()).extracting(JournalEvent::type).doesNotContain(Type.RELEASED);
    }
}
