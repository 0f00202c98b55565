package dev.netfault;

import static dev.netfault.Clients.awaitAccepted;
import static dev.netfault.Clients.threadsNamed;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("a listener's life: start, close, and nothing left behind")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenerLifecycleTests {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void release() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    @Nested
    @DisplayName("close()")
    class Close {

        @Test
        void releasesThePortWhichThenRefusesConnections() throws IOException {
            FaultListener listener = FaultListener.standalone().name("lifecycle-port").start();
            InetSocketAddress address = listener.address();

            listener.close();

            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            assertThat(listener.journal().events()).extracting(JournalEvent::type).endsWith(JournalEvent.Type.LISTENER_CLOSED);
        }

        @Test
        void endsTheListenersThread() {
            FaultListener listener = FaultListener.standalone().name("lifecycle-thread").start();
            String threadName = "netfault-lifecycle-thread-" + listener.port();
            assertThat(threadsNamed("netfault-lifecycle-thread")).containsExactly(threadName);

            listener.close();

            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsNamed("netfault-lifecycle-thread")).isEmpty());
        }

        @Test
        void resetsEveryConnectionItCannotRelayAndLetsRelayedOnesLiveOn() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener relaying = FaultListener.inFrontOf(echo.address()).name("lifecycle-relay").start();
            FaultListener stalling = FaultListener.standalone().name("lifecycle-stall").fault(Fault.stall()).start();
            FaultListener leaking = FaultListener.standalone().name("lifecycle-leak").leakConnections(1).start();
            Socket relayed = closeLater(connect(relaying.address()));
            Socket stalled = closeLater(connect(stalling.address()));
            Socket leaked = closeLater(connect(leaking.address()));
            for (FaultListener listener : List.of(relaying, stalling, leaking)) {
                awaitAccepted(listener.journal(), 1);
            }

            relaying.close();
            stalling.close();
            leaking.close();

            for (Socket socket : List.of(stalled, leaked)) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            relayed.getOutputStream().write(42);
            assertThat(relayed.getInputStream().read()).as("relayed on as plain pass-through").isEqualTo(42);
            assertThat(relaying.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.OPEN);
            relayed.close();
            assertThat(echo.connection(0).receivedUntilEnd()).as("the client's FIN reached the upstream").containsExactly(42);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsNamed("netfault-lifecycle-")).isEmpty());
        }

        @Test
        void releasesTheQueueFillersOfAFullAcceptQueue() throws IOException {
            FaultListener listener = FaultListener.standalone().name("lifecycle-queue").neverAccept().backlog(1).fillAcceptQueue().start();
            InetSocketAddress address = listener.address();

            listener.close();

            assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(threadsNamed("netfault-lifecycle-queue")).isEmpty());
        }

        @Test
        void isIdempotent() {
            FaultListener listener = FaultListener.standalone().name("lifecycle-twice").start();

            listener.close();
            listener.close();

            assertThat(listener.journal().events()).filteredOn(e -> e.type() == JournalEvent.Type.LISTENER_CLOSED).hasSize(1);
        }
    }

    @Nested
    @DisplayName("a closed listener refuses every change, naming itself")
    class Closed {

        private final FaultListener listener = FaultListener.standalone().name("lifecycle-closed").start();
        private final String closed = "listener 'lifecycle-closed' (" + listener.address() + ") was closed: it cannot ";
        private final String fix = " any more. Fix: make the change before closing it, or start a new listener.";

        Closed() {
            listener.close();
        }

        @Test
        void addFault() {
            assertThatThrownBy(() -> listener.addFault(Fault.reset())).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage(closed + "add the fault " + Fault.reset().describe() + fix);
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void proxyTo() {
            InetSocketAddress upstream = new InetSocketAddress(listener.address().getAddress(), 5432);
            assertThatThrownBy(() -> listener.proxyTo(upstream)).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage(closed + "relay to " + upstream + fix);
            assertThat(listener.upstream()).isEmpty();
        }

        @Test
        void everyOtherChange() {
            assertThatThrownBy(listener::clearFaults).hasMessage(closed + "clear its faults" + fix);
            assertThatThrownBy(listener::resetOpenConnections).hasMessage(closed + "reset its connections" + fix);
            assertThatThrownBy(listener::down).hasMessage(closed + "go down" + fix);
            assertThatThrownBy(() -> listener.downFor(java.time.Duration.ofSeconds(1))).hasMessage(closed + "go down for 1000 ms" + fix);
            assertThatThrownBy(listener::up).isExactlyInstanceOf(IllegalStateException.class).hasMessage(closed + "come back up" + fix);
        }

        @Test
        void butStillAnswersQuestions() {
            assertThat(listener.journal().events()).extracting(JournalEvent::type).containsExactly(JournalEvent.Type.LISTENER_CLOSED);
            assertThat(listener.name()).isEqualTo("lifecycle-closed");
            listener.close(); // and closes again, doing nothing
        }
    }

    @Test
    void bindsALoopbackEphemeralPortAndNamesItself() {
        FaultListener listener = closeLater(FaultListener.standalone().name("lifecycle-name").start());

        assertThat(listener.host()).isEqualTo("127.0.0.1");
        assertThat(listener.port()).isPositive();
        assertThat(listener.name()).isEqualTo("lifecycle-name");
        assertThat(listener.journal().describe()).isEqualTo("journal of netfault listener 'lifecycle-name': no connection accepted");
    }

    @Nested
    @DisplayName("nothing listening: a real refusal (the sanity row of the table)")
    class NothingListening {

        @Test
        void socketConnectThrowsConnectionRefused() throws IOException {
            InetSocketAddress nothing = Clients.unusedAddress();

            assertThatThrownBy(() -> new Socket(nothing.getAddress(), nothing.getPort()).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(nothing, 500))
                        .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            }
        }

        @Test
        void blockingChannelConnectThrowsConnectionRefused() throws IOException {
            InetSocketAddress nothing = Clients.unusedAddress();

            assertThatThrownBy(() -> SocketChannel.open(nothing).close())
                    .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }

        @Test
        void nonBlockingChannelFinishConnectThrowsConnectionRefused() throws IOException {
            InetSocketAddress nothing = Clients.unusedAddress();
            try (SocketChannel channel = SocketChannel.open(); Selector selector = Selector.open()) {
                channel.configureBlocking(false);
                channel.connect(nothing);
                channel.register(selector, SelectionKey.OP_CONNECT);
                assertThat(selector.select(PATIENCE.toMillis())).isEqualTo(1);

                assertThatThrownBy(channel::finishConnect).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            }
        }

        @Test
        void httpUrlConnectionThrowsConnectionRefused() throws IOException {
            InetSocketAddress nothing = Clients.unusedAddress();
            HttpURLConnection connection = Clients.httpUrlConnection(URI.create("http://127.0.0.1:" + nothing.getPort() + "/"));

            assertThatThrownBy(connection::getResponseCode).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }

        @Test
        void httpClientThrowsConnectExceptionWithoutMessageCausedByClosedChannel() throws IOException {
            InetSocketAddress nothing = Clients.unusedAddress();
            HttpClient client = Clients.httpClient();

            Throwable thrown = catchThrowable(() -> Clients.send(client, Clients.get(URI.create("http://127.0.0.1:" + nothing.getPort() + "/"))));

            assertThat(thrown).isExactlyInstanceOf(ConnectException.class).hasMessage(null);
            assertThat(Clients.rootCause(thrown)).isExactlyInstanceOf(ClosedChannelException.class);
        }
    }

    @Nested
    @DisplayName("polling: a listener polls only while a conversation is active")
    class Polling {

        @Test
        void anIdleListenerUsesNoCpuAfterBusyTraffic() throws Exception {
            RecordingServer echo = closeLater(RecordingServer.echo());
            FaultListener listener = closeLater(FaultListener.inFrontOf(echo.address()).name("lifecycle-polling").start());
            Thread loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("netfault-lifecycle-polling-" + listener.port())).findFirst().orElseThrow();
            try (Socket socket = closeLater(connect(listener.address()))) {
                socket.setTcpNoDelay(true);
                for (int i = 0; i < 500; i++) { // ping-pong: the loop polls between messages
                    socket.getOutputStream().write(i);
                    assertThat(socket.getInputStream().read()).isEqualTo(i & 0xff);
                }
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long before = threads.getThreadCpuTime(loop.getId());
                // the measurement is CPU time over an interval: a loop that kept polling would use most of it
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                long usedMillis = (threads.getThreadCpuTime(loop.getId()) - before) / 1_000_000;

                assertThat(usedMillis).as("the loop's CPU time over 1 s of silence, in ms (polling would take 300 or more)")
                        .isLessThan(100);
            }
        }
    }
}
