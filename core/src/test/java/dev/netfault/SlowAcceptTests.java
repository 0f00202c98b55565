package dev.netfault;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("slow accept and a full accept queue: real connect timeouts")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowAcceptTests {

    /** The connect timeout clients use here; a dropped SYN must make it fire. */
    private static final int CONNECT_TIMEOUT = 500;

    private FaultListener listener;
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void release() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** Connects with the test's connect timeout, keeping the socket open until the test ends. */
    private Socket connectWithTimeout() throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.connect(listener.address(), CONNECT_TIMEOUT);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return socket;
    }

    private void assertConnectTimesOut() {
        long start = System.nanoTime();
        assertThatThrownBy(this::connectWithTimeout).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        assertThat(millisSince(start)).isBetween(CONNECT_TIMEOUT - 50L, PATIENCE.toMillis());
    }

    @Nested
    @DisplayName("acceptDelay")
    class AcceptDelay {

        @Test
        void connectSucceedsAtOnceWritesSucceedAndTheFirstReadWaitsForTheAccept() throws IOException {
            Duration delay = Duration.ofMillis(1000);
            listener = FaultListener.standalone().echo().acceptDelay(delay).start();

            long start = System.nanoTime();
            Socket socket = connectWithTimeout();
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            int acceptedWhenWritten = listener.journal().accepted();
            byte[] echoed = socket.getInputStream().readNBytes(4);

            assertThat(acceptedWhenWritten).as("connected and written before the listener accepted").isZero();
            assertThat(echoed).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
            assertThat(millisSince(start)).isBetween(delay.toMillis(), PATIENCE.toMillis());
        }

        @Test
        void withBacklogOneTheQueueHoldsTwoAndTheThirdConnectTimesOut() throws IOException {
            listener = FaultListener.standalone().acceptDelay(Duration.ofSeconds(20)).backlog(1).start();

            connectWithTimeout();
            connectWithTimeout();
            assertConnectTimesOut();
            assertThat(listener.journal().accepted()).isZero();
        }

        @Test
        void connectsTimeOutUntilTheSlowAcceptsFreeTheQueueFromItsFillers() throws IOException {
            listener = FaultListener.standalone().acceptDelay(Duration.ofMillis(400)).backlog(1).fillAcceptQueue().start();

            assertConnectTimesOut();
            await().atMost(PATIENCE).ignoreException(SocketTimeoutException.class).until(() -> connectWithTimeout().isConnected());
        }
    }

    @Nested
    @DisplayName("a full accept queue")
    class FullQueue {

        @Test
        void neverAcceptingWithBacklogOneQueuesTwoAndTheThirdConnectTimesOut() throws IOException {
            listener = FaultListener.standalone().neverAccept().backlog(1).start();

            connectWithTimeout();
            connectWithTimeout();
            assertConnectTimesOut();
        }

        @Test
        void fillAcceptQueueMakesTheFirstConnectTimeOut() {
            listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();

            assertConnectTimesOut();
            assertThat(listener.journal().events()).extracting(JournalEvent::type).contains(JournalEvent.Type.ACCEPT_QUEUE_FILLED);
            assertThat(listener.journal().accepted()).isZero();
        }

        @Test
        void fillAcceptQueueWorksWithTheDefaultBacklog() {
            listener = FaultListener.standalone().neverAccept().fillAcceptQueue().start();

            assertConnectTimesOut();
        }

        @Test
        void nonBlockingChannelConnectNeverCompletes() throws IOException {
            listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();
            try (SocketChannel channel = SocketChannel.open(); Selector selector = Selector.open()) {
                channel.configureBlocking(false);

                assertThat(channel.connect(listener.address())).isFalse();
                channel.register(selector, SelectionKey.OP_CONNECT);
                assertThat(selector.select(CONNECT_TIMEOUT)).as("the SYN was dropped: no answer").isZero();
                assertThat(channel.finishConnect()).isFalse();
            }
        }

        @Test
        void httpUrlConnectionConnectTimesOut() throws IOException {
            listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();
            HttpURLConnection connection = Clients.httpUrlConnection(listener.uri("http"));
            connection.setConnectTimeout(CONNECT_TIMEOUT);

            assertThatThrownBy(connection::getResponseCode).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        }

        @Test
        void httpClientConnectTimesOut() {
            listener = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT)).build();

            long start = System.nanoTime();
            assertThatThrownBy(() -> Clients.send(client, Clients.get(listener.uri("http"))))
                    .isExactlyInstanceOf(HttpConnectTimeoutException.class).hasMessage("HTTP connect timed out");
            assertThat(millisSince(start)).isBetween(CONNECT_TIMEOUT - 50L, PATIENCE.toMillis());
        }

        @Test
        void queuedClientsConnectedBeforeTheQueueFilledStillWriteButGetNoAnswer() throws IOException {
            listener = FaultListener.standalone().neverAccept().backlog(1).start();
            Socket queued = connectWithTimeout();
            queued.setSoTimeout(300);

            queued.getOutputStream().write(ByteBuffer.allocate(1024).array());
            assertThatThrownBy(() -> queued.getInputStream().read()).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }

    @Test
    @DisplayName("a listener that never accepts tells its address at once")
    void neverAcceptingListenerHasALoopbackAddress() {
        listener = FaultListener.standalone().neverAccept().start();

        assertThat(listener.address()).isEqualTo(new InetSocketAddress("127.0.0.1", listener.port()));
        assertThat(listener.uri("http")).hasToString("http://127.0.0.1:" + listener.port() + "/");
    }
}
