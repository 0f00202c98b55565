package dev.netfault.internal;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Exchange;
import dev.netfault.FaultListener;
import dev.netfault.JournalEvent;
import dev.netfault.testsupport.RecordingServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A listener's loops: busy listeners use more threads, each connection lives on one")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenerLoopsTests {

    private final List<AutoCloseable> owned = new ArrayList<>();
    /** Client threads of their own: a reader blocked in a socket read never holds up its writer. */
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "loops-tests-client");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void closeAll() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }

    @Nested
    @DisplayName("spreading connections")
    class Spreading {

        @Test
        void manyConcurrentConnectionsGoToTheLeastLoadedOfUpToTheAllowedLoopsAndEveryByteArrivesIntact() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-spread").start());
            List<Socket> sockets = connectAll(listener, 12);

            assertThat(threadsOf(listener)).containsExactlyInAnyOrder(loopName(listener, 1), loopName(listener, 2),
                    loopName(listener, 3), loopName(listener, 4));
            assertThat(listener.connectionsPerLoop()).containsExactly(3, 3, 3, 3);
            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++) {
                Socket socket = sockets.get(i);
                byte[] payload = randomBytes(512 * 1024, i);
                echoes.add(CompletableFuture.supplyAsync(() -> echoed(socket, payload), CLIENTS));
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertThat(echoes.get(i).get(PATIENCE.toSeconds() * 4, TimeUnit.SECONDS))
                        .as("connection %d", i + 1).isEqualTo(randomBytes(512 * 1024, i));
            }
            assertThat(listener.journal().connections()).extracting(ConnectionRecord::id)
                    .as("ordinals in accept order").containsExactly(LongStream.rangeClosed(1, 12).boxed().toArray(Long[]::new));
            assertThat(listener.journal().connections()).extracting(ConnectionRecord::bytesFromClient).containsOnly(512L * 1024);
        }

        @Test
        void oneConnectionAtATimeStaysOnTheFirstLoopAndNoOtherThreadStarts() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-single").start());
            for (int c = 1; c <= 5; c++) {
                try (Socket socket = connect(listener.address())) {
                    for (int i = 0; i < 20; i++) {
                        byte[] message = randomBytes(100, c * 100 + i);
                        assertThat(echoed(socket, message)).isEqualTo(message);
                    }
                }
                long id = c;
                await().atMost(PATIENCE).until(() -> listener.journal().connection(id).orElseThrow().closed().isPresent());
            }

            assertThat(listener.loops()).hasSize(1);
            assertThat(threadsOf(listener)).containsExactly(loopName(listener, 1));
        }

        @Test
        void aListenerAllowedOneLoopServesEveryConnectionOnIt() throws Exception {
            ListenerEngine listener = withLoops(1, () -> FaultListener.standalone().echo().name("loops-one").start());
            List<Socket> sockets = connectAll(listener, 6);

            for (Socket socket : sockets) {
                assertThat(echoed(socket, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            }
            assertThat(threadsOf(listener)).containsExactly(loopName(listener, 1));
            assertThat(listener.connectionsPerLoop()).containsExactly(6);
        }

        @Test
        void requestNumbersAcrossConnectionsOnDifferentLoopsAreUniqueCompleteAndListedInOrder() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-requests").start());
            List<Socket> sockets = connectAll(listener, 8);
            int turns = 25;

            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (Socket socket : sockets) {
                clients.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < turns; i++) {
                        byte[] message = {(byte) i};
                        if (!Arrays.equals(echoed(socket, message), message)) {
                            throw new AssertionError("wrong echo");
                        }
                    }
                }, CLIENTS));
            }
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds() * 4, TimeUnit.SECONDS);

            assertThat(listener.loops()).hasSizeGreaterThan(1);
            List<Exchange> exchanges = listener.journal().exchanges();
            assertThat(exchanges).extracting(Exchange::request).as("numbered across the listener, listed in that order")
                    .containsExactly(LongStream.rangeClosed(1, 8L * turns).boxed().toArray(Long[]::new));
            for (long connection = 1; connection <= 8; connection++) {
                long id = connection;
                assertThat(exchanges).filteredOn(e -> e.connection() == id).extracting(Exchange::index)
                        .as("connection %d's own count", id).containsExactly(LongStream.rangeClosed(1, turns).boxed().toArray(Long[]::new));
            }
        }
    }

    @Nested
    @DisplayName("after a busy spell")
    class AfterABusySpell {

        @Test
        void extraLoopsEndOnceTheirConnectionsHaveEndedWhileTheListenerServesOnAndStartAgainWhenNeeded() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-retire").start());
            List<Socket> sockets = connectAll(listener, 8);
            assertThat(listener.loops()).hasSize(4);
            for (Socket socket : sockets) {
                socket.close();
            }

            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(listener.loops()).hasSize(1);
                assertThat(listener.connectionsPerLoop()).containsExactly(0);
                assertThat(threadsOf(listener)).containsExactly(loopName(listener, 1));
            });
            List<Socket> again = connectAll(listener, 8);
            assertThat(threadsOf(listener)).as("the same names again").containsExactlyInAnyOrder(loopName(listener, 1),
                    loopName(listener, 2), loopName(listener, 3), loopName(listener, 4));
            for (int i = 0; i < again.size(); i++) {
                byte[] message = randomBytes(1000, i);
                assertThat(echoed(again.get(i), message)).as("connection %d", i + 9).isEqualTo(message);
            }
        }

        @Test
        void aLoopEndsOnlyWithItsLastConnection() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-keep").start());
            List<Socket> sockets = connectAll(listener, 8);
            assertThat(listener.connectionsPerLoop()).containsExactly(2, 2, 2, 2);
            // Connections 1 to 4 went to loops 1 to 4, and so did 5 to 8: close the second four.
            for (Socket socket : sockets.subList(4, 8)) {
                socket.close();
            }
            await().atMost(PATIENCE).until(() -> Arrays.equals(listener.connectionsPerLoop(), new int[] {1, 1, 1, 1}));

            await().during(ListenerEngine.RETIRE_AFTER.multipliedBy(2)).atMost(ListenerEngine.RETIRE_AFTER.multipliedBy(2).plus(PATIENCE))
                    .until(() -> listener.loops().size() == 4);
            for (int i = 0; i < 4; i++) {
                byte[] message = randomBytes(1000, i);
                assertThat(echoed(sockets.get(i), message)).as("connection %d", i + 1).isEqualTo(message);
            }
            for (Socket socket : sockets.subList(0, 4)) {
                socket.close();
            }
            await().atMost(PATIENCE).until(() -> listener.loops().size() == 1);
        }

        @Test
        void aLoopThatRelayedAgainWhileIdleEndsAFullSecondAfterItsNewLastConnection() throws Exception {
            ListenerEngine listener = withLoops(2, () -> FaultListener.standalone().echo().name("loops-again").start());
            Socket first = connectAll(listener, 1).get(0);
            Socket second = connectAll(listener, 1).get(0);
            assertThat(listener.connectionsPerLoop()).containsExactly(1, 1);
            long firstIdle = System.nanoTime();
            second.close();

            // Part of RETIRE_AFTER later, the idle second loop gets the next connection, which ends at once.
            long part = ListenerEngine.RETIRE_AFTER.toNanos() * 6 / 10;
            await().atMost(PATIENCE).until(() -> System.nanoTime() - firstIdle >= part);
            Socket third = connectAll(listener, 1).get(0);
            long secondIdle = System.nanoTime();
            third.close();

            // The check due for the first idle spell finds the loop idle again, but not for long enough.
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> listener.loops().size() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - secondIdle)).as("time from the last connection's end to the loop's")
                    .isGreaterThanOrEqualTo(ListenerEngine.RETIRE_AFTER);
            assertThat(echoed(first, new byte[] {9})).containsExactly(9);
        }
    }

    @Nested
    @DisplayName("what concerns every connection reaches every loop")
    class EveryLoop {

        @Test
        void resetOpenConnectionsResetsTheConnectionsOfEveryLoop() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-reset").start());
            List<Socket> sockets = connectAll(listener, 8);
            assertThat(listener.loops()).hasSize(4);

            listener.resetOpenConnections();

            for (Socket socket : sockets) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(listener.journal().connections()).extracting(ConnectionRecord::listenerClosure).containsOnly(Closure.RST);
            assertThat(listener.connectionsPerLoop()).containsOnly(0);
        }

        @Test
        void downRefusesNewConnectionsWhileThoseOnEveryLoopServeOn() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-down").start());
            List<Socket> sockets = connectAll(listener, 8);

            listener.down();

            assertThatThrownBy(() -> new Socket(listener.address().getAddress(), listener.port()).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            for (Socket socket : sockets) {
                assertThat(echoed(socket, new byte[] {42})).containsExactly(42);
            }
            listener.up();
            try (Socket again = connect(listener.address())) {
                assertThat(echoed(again, new byte[] {7})).containsExactly(7);
            }
        }

        @Test
        void closeResetsTheConnectionsOfEveryLoopEndsEveryLoopThreadAndFreesThePortBeforeItReturns() throws Exception {
            ListenerEngine listener = withLoops(4, () -> FaultListener.standalone().echo().name("loops-close").start());
            List<Socket> sockets = connectAll(listener, 8);
            assertThat(threadsOf(listener)).hasSize(4);
            InetSocketAddress address = listener.address();

            listener.close();

            assertThat(threadsOf(listener)).as("every loop ended within close() (its thread no longer carries its name)").isEmpty();
            try (ServerSocket rebound = new ServerSocket()) {
                rebound.bind(address);
                assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
            }
            for (Socket socket : sockets) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(listener.journal().events()).extracting(JournalEvent::type).endsWith(JournalEvent.Type.LISTENER_CLOSED);
        }

        @Test
        void afterCloseEachLoopRelaysItsConnectionsOnAndEndsWithTheLastOfThem() throws Exception {
            RecordingServer echo = own(RecordingServer.echo());
            ListenerEngine listener = withLoops(4, () -> FaultListener.inFrontOf(echo.address()).name("loops-pass").start());
            List<Socket> sockets = connectAll(listener, 4);
            List<String> loops = threadsOf(listener);
            assertThat(listener.connectionsPerLoop()).containsExactly(1, 1, 1, 1);

            listener.close();

            assertThat(threadsOf(listener)).isEqualTo(loops);
            assertThat(listener.journal().events()).filteredOn(e -> e.type() == JournalEvent.Type.LISTENER_CLOSED).singleElement()
                    .extracting(JournalEvent::detail).isEqualTo("4 connections relayed on as plain pass-through");
            sockets.get(1).close(); // the second connection, alone on the second loop
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsOf(listener)).doesNotContain(loops.get(1)));
            for (Socket socket : List.of(sockets.get(0), sockets.get(2), sockets.get(3))) {
                assertThat(echoed(socket, new byte[] {5})).containsExactly(5);
            }
            assertThat(threadsOf(listener)).containsExactly(loops.get(0), loops.get(2), loops.get(3));
            for (Socket socket : sockets) {
                socket.close();
            }
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsOf(listener)).isEmpty());
        }
    }

    @Nested
    @DisplayName("-Dnetfault.loops")
    class Property {

        @Test
        void defaultsToOneLoopPerCpuAtMostEight() {
            assertThat(ListenerEngine.maxLoops(null, 1)).isEqualTo(1);
            assertThat(ListenerEngine.maxLoops(null, 2)).isEqualTo(2);
            assertThat(ListenerEngine.maxLoops(null, 64)).isEqualTo(8);
        }

        @Test
        void givesTheListenerALargeBufferPerLoopFrom4To8() {
            assertThat(ListenerEngine.largeBufferLimit(1)).isEqualTo(4);
            assertThat(ListenerEngine.largeBufferLimit(4)).isEqualTo(4);
            assertThat(ListenerEngine.largeBufferLimit(6)).isEqualTo(6);
            assertThat(ListenerEngine.largeBufferLimit(8)).isEqualTo(8);
            assertThat(ListenerEngine.largeBufferLimit(64)).as("16 MiB at most").isEqualTo(8);
        }

        @Test
        void takesAWholeNumberFrom1To64() {
            assertThat(ListenerEngine.maxLoops(" 1 ", 16)).isEqualTo(1);
            assertThat(ListenerEngine.maxLoops("64", 2)).isEqualTo(64);
        }

        @ParameterizedTest(name = "''{0}''")
        @ValueSource(strings = {"0", "-1", "65", "two", "1.5", ""})
        void rejectsAnythingElseWithTheRuleAndTheFix(String value) {
            assertThatThrownBy(() -> ListenerEngine.maxLoops(value, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Dnetfault.loops must be a whole number of threads per listener from 1 to 64, but was '" + value
                            + "'. Fix: remove it for the default (one per CPU, at most 8: 2 here), or give 1 to keep each listener on one thread.");
        }

        @Test
        void aBadValueFailsTheListenersStartAndHoldsNoPortNorThread() {
            assertThatThrownBy(() -> withLoops("none", () -> FaultListener.standalone().name("loops-bad").start()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("-Dnetfault.loops must be");
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).noneMatch(n -> n.startsWith("netfault-loops-bad"));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Starts a listener while {@code -Dnetfault.loops} is {@code loops} (read once, at start). */
    private ListenerEngine withLoops(int loops, Supplier<FaultListener> start) {
        return withLoops(String.valueOf(loops), start);
    }

    private ListenerEngine withLoops(String loops, Supplier<FaultListener> start) {
        return own(LoopsProperty.startWith(loops, start));
    }

    /** Opens {@code count} connections, all accepted (and handed to their loop) before it returns. */
    private List<Socket> connectAll(ListenerEngine listener, int count) throws IOException {
        long acceptedBefore = listener.journal().accepted();
        int relayedBefore = Arrays.stream(listener.connectionsPerLoop()).sum();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sockets.add(own(connect(listener.address())));
        }
        await().atMost(PATIENCE).until(() -> Arrays.stream(listener.connectionsPerLoop()).sum() == relayedBefore + count
                && listener.journal().accepted() == acceptedBefore + count);
        return sockets;
    }

    private static String loopName(ListenerEngine listener, int n) {
        return "netfault-" + listener.name() + "-" + listener.port() + (n == 1 ? "" : "-" + n);
    }

    /**
     * The names of the listener's loops running now, the first one first: a loop's thread carries
     * its name while it runs the loop, and waits for another loop under another name once it ended.
     */
    private static List<String> threadsOf(ListenerEngine listener) {
        String first = loopName(listener, 1);
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.equals(first) || name.startsWith(first + "-"))
                .sorted((a, b) -> Integer.compare(a.length(), b.length()) != 0 ? Integer.compare(a.length(), b.length()) : a.compareTo(b))
                .toList();
    }

    private static byte[] echoed(Socket socket, byte[] message) {
        try {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(message);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, CLIENTS);
            byte[] back = new byte[message.length];
            InputStream in = socket.getInputStream();
            new DataInputStream(in).readFully(back);
            writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            return back;
        } catch (Exception e) {
            throw new AssertionError("echo failed", e);
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
