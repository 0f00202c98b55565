package dev.netfault;

import static dev.netfault.Clients.assertHttpClientSawAReset;
import static dev.netfault.Clients.awaitFinished;
import static dev.netfault.Clients.randomBytes;
import static dev.netfault.Clients.readWhenReady;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.millisSince;
import static dev.netfault.testsupport.Sockets.readUntilEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.reset(): a real RST")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResetTests {

    private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {'p', 'i', 'n', 'g'}).asReadOnlyBuffer();

    private FaultListener listener;
    private RecordingServer upstream;

    @AfterEach
    void release() throws IOException {
        if (listener != null) {
            listener.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private FaultListener resettingOnAccept() {
        listener = FaultListener.standalone().name("reset-on-accept").fault(Fault.reset()).start();
        return listener;
    }

    /** The RST has reached the client once the listener has finished with the connection (loopback delivers at once). */
    private void awaitResetSent() {
        ConnectionRecord record = awaitFinished(listener.journal(), 1);
        assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
    }

    @Nested
    @DisplayName("on accept, before the client writes")
    class OnAccept {

        @Test
        void socketReadThrowsConnectionResetAndKeepsThrowingIt() throws IOException {
            try (Socket socket = connect(resettingOnAccept().address())) {
                InputStream in = socket.getInputStream();

                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void socketFirstWriteThrowsConnectionResetByPeerThenBrokenPipe() throws IOException {
            try (Socket socket = connect(resettingOnAccept().address())) {
                awaitResetSent();
                OutputStream out = socket.getOutputStream();

                assertThatThrownBy(() -> out.write(1)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset by peer");
                assertThatThrownBy(() -> out.write(1)).isExactlyInstanceOf(SocketException.class).hasMessage("Broken pipe");
            }
        }

        /** Why HTTP clients sometimes report an end of stream on a reset: their write consumed it. */
        @Test
        void socketReadAfterAWriteConsumedTheResetReturnsEndOfStream() throws IOException {
            try (Socket socket = connect(resettingOnAccept().address())) {
                awaitResetSent();
                assertThatThrownBy(() -> socket.getOutputStream().write(1)).hasMessage("Connection reset by peer");

                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }

        @Test
        void socketWriteAfterTheResetReadThrowsBrokenPipe() throws IOException {
            try (Socket socket = connect(resettingOnAccept().address())) {
                assertThatThrownBy(() -> socket.getInputStream().read()).hasMessage("Connection reset");

                assertThatThrownBy(() -> socket.getOutputStream().write(1))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Broken pipe");
            }
        }

        @Test
        void blockingChannelReadThrowsConnectionResetAndKeepsThrowingIt() throws IOException {
            try (SocketChannel channel = SocketChannel.open(resettingOnAccept().address())) {
                ByteBuffer buffer = ByteBuffer.allocate(16);

                assertThatThrownBy(() -> channel.read(buffer)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(() -> channel.read(buffer)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void blockingChannelFirstWriteThrowsConnectionResetByPeerThenBrokenPipe() throws IOException {
            try (SocketChannel channel = SocketChannel.open(resettingOnAccept().address())) {
                awaitResetSent();

                assertThatThrownBy(() -> channel.write(PING.duplicate())).isExactlyInstanceOf(IOException.class).hasMessage("Connection reset by peer");
                assertThatThrownBy(() -> channel.write(PING.duplicate())).isExactlyInstanceOf(IOException.class).hasMessage("Broken pipe");
            }
        }

        @Test
        void nonBlockingChannelBecomesReadableAndItsReadThrowsConnectionReset() throws IOException {
            try (SocketChannel channel = connectedThenNonBlocking()) {
                ByteBuffer buffer = ByteBuffer.allocate(16);

                assertThatThrownBy(() -> readWhenReady(channel, buffer)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThatThrownBy(() -> channel.read(buffer)).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void nonBlockingChannelFirstWriteThrowsConnectionResetByPeerThenBrokenPipe() throws IOException {
            try (SocketChannel channel = connectedThenNonBlocking()) {
                awaitResetSent();

                assertThatThrownBy(() -> channel.write(PING.duplicate())).isExactlyInstanceOf(IOException.class).hasMessage("Connection reset by peer");
                assertThatThrownBy(() -> channel.write(PING.duplicate())).isExactlyInstanceOf(IOException.class).hasMessage("Broken pipe");
            }
        }

        /** {@code Socket.connect(address, timeout)} finishes its connect the same way, so it can throw this too. */
        @Test
        void nonBlockingConnectFinishedAfterTheResetThrowsConnectionResetByPeer() throws IOException {
            try (SocketChannel channel = SocketChannel.open()) {
                channel.configureBlocking(false);
                assertThat(channel.connect(resettingOnAccept().address())).as("a non-blocking connect is pending").isFalse();
                awaitResetSent();

                assertThatThrownBy(channel::finishConnect).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset by peer");
                assertThat(channel.isOpen()).as("a failed finishConnect closes the channel").isFalse();
            }
        }

        /** Connected before the listener accepts (a non-blocking connect would race the RST in finishConnect). */
        private SocketChannel connectedThenNonBlocking() throws IOException {
            SocketChannel channel = SocketChannel.open(resettingOnAccept().address());
            channel.configureBlocking(false);
            return channel;
        }

        @Test
        void httpUrlConnectionThrowsAResetAfterRetrying() throws IOException {
            HttpURLConnection connection = Clients.httpUrlConnection(resettingOnAccept().uri("http"));

            Throwable thrown = catchThrowable(connection::getResponseCode);

            Clients.assertHttpUrlConnectionSawAReset(thrown);
            assertThat(listener.journal().accepted()).as("one connection, or more with its retries").isBetween(1, 3);
        }

        @Test
        void httpClientThrowsOneOfTheDocumentedResetOutcomesAfterOneRetry() {
            HttpClient client = Clients.httpClient();
            Throwable thrown = catchThrowable(() -> Clients.send(client, Clients.get(resettingOnAccept().uri("http"))));

            assertHttpClientSawAReset(thrown);
            assertThat(listener.journal().accepted()).as("a GET is retried once on a new connection").isEqualTo(2);
        }

        @Test
        void journalRecordsTheResetBeforeAnyByte() throws IOException {
            try (Socket socket = connect(resettingOnAccept().address())) {
                assertThatThrownBy(() -> socket.getInputStream().read()).hasMessage("Connection reset");

                ConnectionRecord record = awaitFinished(listener.journal(), 1);
                assertThat(record.client().getPort()).isEqualTo(socket.getLocalPort());
                assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
                assertThat(record.fired(Effect.Reset.class)).isTrue();
                assertThat(record.faults()).singleElement().satisfies(fired -> {
                    assertThat(fired.fault()).isEqualTo(Fault.reset());
                    assertThat(fired.bytesFromClient()).isZero();
                    assertThat(fired.bytesToClient()).isZero();
                });
                assertThat(listener.journal().events()).extracting(JournalEvent::type)
                        .containsSubsequence(JournalEvent.Type.ACCEPTED, JournalEvent.Type.FAULT_FIRED, JournalEvent.Type.SENT_RST);
            }
        }
    }

    @Nested
    @DisplayName("while the client is blocked in read")
    class WhileBlockedInRead {

        private static final Duration AFTER = Duration.ofMillis(300);

        private FaultListener resettingLater() {
            listener = FaultListener.standalone().name("reset-later").fault(Fault.reset().after(AFTER)).start();
            return listener;
        }

        @Test
        void socketReadThrowsConnectionResetWhenTheResetArrives() throws IOException {
            long start = System.nanoTime();
            try (Socket socket = connect(resettingLater().address())) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(millisSince(start)).isBetween(AFTER.toMillis(), PATIENCE.toMillis());
            }
        }

        @Test
        void blockingChannelReadThrowsConnectionResetWhenTheResetArrives() throws IOException {
            long start = System.nanoTime();
            try (SocketChannel channel = SocketChannel.open(resettingLater().address())) {
                assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(16)))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(millisSince(start)).isBetween(AFTER.toMillis(), PATIENCE.toMillis());
            }
        }

        @Test
        void nonBlockingChannelBecomesReadableWhenTheResetArrives() throws IOException {
            long start = System.nanoTime();
            try (SocketChannel channel = Clients.connectNonBlocking(resettingLater().address())) {
                assertThatThrownBy(() -> readWhenReady(channel, ByteBuffer.allocate(16)))
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                assertThat(millisSince(start)).isBetween(AFTER.toMillis(), PATIENCE.toMillis());
            }
        }

        @Test
        void httpUrlConnectionThrowsConnectionReset() throws IOException {
            HttpURLConnection connection = Clients.httpUrlConnection(resettingLater().uri("http"));

            assertThatThrownBy(connection::getResponseCode).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }

        @Test
        void httpClientThrowsAResetCausedByConnectionReset() {
            HttpClient client = Clients.httpClient();
            Throwable thrown = catchThrowable(() -> Clients.send(client, Clients.get(resettingLater().uri("http"))));

            assertHttpClientSawAReset(thrown);
        }
    }

    @Nested
    @DisplayName("after exactly N bytes to the client, through a proxy")
    class AfterBytesToTheClient {

        private static final int N = 10_000;
        private final byte[] response = randomBytes(1024 * 1024, 7);

        private FaultListener proxyResettingAfter(long bytes) {
            upstream = RecordingServer.sending(response);
            listener = FaultListener.inFrontOf(upstream.address()).name("reset-to-client")
                    .fault(Fault.reset().afterBytes(Direction.TO_CLIENT, bytes)).start();
            return listener;
        }

        @Test
        void socketReceivesExactlyNBytesThenConnectionReset() throws IOException {
            try (Socket socket = connect(proxyResettingAfter(N).address())) {
                Sockets.Received received = readUntilEnd(socket.getInputStream());

                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(response, N));
                assertThat(received.failure()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void blockingChannelReceivesExactlyNBytesThenConnectionReset() throws IOException {
            try (SocketChannel channel = SocketChannel.open(proxyResettingAfter(N).address())) {
                Sockets.Received received = readUntilEnd(channel);

                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(response, N));
                assertThat(received.failure()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void zeroBytesResetsBeforeTheFirstByteOfTheResponse() throws IOException {
            try (Socket socket = connect(proxyResettingAfter(0).address())) {
                Sockets.Received received = readUntilEnd(socket.getInputStream());

                assertThat(received.bytes()).isEmpty();
                assertThat(received.failure()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
        }

        @Test
        void journalRecordsTheOffsetTheResetFiredAt() throws IOException {
            try (Socket socket = connect(proxyResettingAfter(N).address())) {
                readUntilEnd(socket.getInputStream());

                ConnectionRecord record = awaitFinished(listener.journal(), 1);
                assertThat(record.bytesToClient()).isEqualTo(N);
                assertThat(record.upstreamConnected()).isPresent();
                assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
                assertThat(record.faults()).singleElement().extracting(FiredFault::bytesToClient).isEqualTo((long) N);
            }
        }
    }

    @Nested
    @DisplayName("after exactly N bytes from the client, through a proxy")
    class AfterBytesFromTheClient {

        private static final int N = 4096;
        private final byte[] request = randomBytes(10_000, 11);

        @Test
        void upstreamReceivesExactlyNBytesAndTheClientIsReset() throws Exception {
            upstream = RecordingServer.answeringAtEndOfRequest("too late".getBytes());
            listener = FaultListener.inFrontOf(upstream.address()).name("reset-from-client")
                    .fault(Fault.reset().afterBytes(Direction.FROM_CLIENT, N)).start();

            try (Socket socket = connect(listener.address())) {
                socket.getOutputStream().write(request); // one write, taken by the socket buffers at once

                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(upstream.connection(0).receivedUntilEnd()).isEqualTo(Arrays.copyOf(request, N));
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.bytesFromClient()).isEqualTo(N);
            assertThat(record.bytesToClient()).isZero();
            assertThat(record.faults()).singleElement().extracting(FiredFault::bytesFromClient).isEqualTo((long) N);
        }
    }

    @Nested
    @DisplayName("on selected connections")
    class OnSelectedConnections {

        private final byte[] message = randomBytes(64 * 1024, 3);

        private FaultListener proxyToEcho(Connections selected) {
            upstream = RecordingServer.echo();
            listener = FaultListener.inFrontOf(upstream.address()).name("reset-selected")
                    .fault(Fault.reset().on(selected)).start();
            return listener;
        }

        /**
         * One connection after the other, so that accept order is connect order. The journal says
         * whether the listener reset it; the client must then see exactly that.
         */
        private String connectOnce(long id) throws IOException {
            try (Socket socket = connect(listener.address())) {
                ConnectionRecord record = await().atMost(PATIENCE).until(() -> listener.journal().connection(id).orElse(null),
                        c -> c != null && (c.closed().isPresent() || c.upstreamConnected().isPresent()));
                if (record.fired(Effect.Reset.class)) {
                    assertThatThrownBy(() -> socket.getInputStream().read())
                            .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                    return "reset";
                }
                socket.getOutputStream().write(message);
                socket.shutdownOutput();
                Sockets.Received received = readUntilEnd(socket.getInputStream());
                assertThat(received.failure()).isNull();
                assertThat(received.bytes()).isEqualTo(message);
                return "echoed";
            }
        }

        @Test
        void firstTwoConnectionsAreResetAndTheThirdPassesUntouched() throws IOException {
            proxyToEcho(Connections.first(2));

            assertThat(new String[] {connectOnce(1), connectOnce(2), connectOnce(3)}).containsExactly("reset", "reset", "echoed");
            ConnectionRecord third = awaitFinished(listener.journal(), 3);
            assertThat(third.faults()).isEmpty();
            assertThat(third.bytesFromClient()).isEqualTo(message.length);
            assertThat(third.bytesToClient()).isEqualTo(message.length);
            assertThat(third.listenerClosure()).isEqualTo(Closure.FIN);
        }

        @Test
        void onlyTheNthConnectionIsReset() throws IOException {
            proxyToEcho(Connections.nth(2));

            assertThat(new String[] {connectOnce(1), connectOnce(2), connectOnce(3)}).containsExactly("echoed", "reset", "echoed");
            assertThat(listener.journal().connections()).extracting(c -> c.fired(Effect.Reset.class))
                    .containsExactly(false, true, false);
        }
    }
}
