package dev.netfault;

import static dev.netfault.Clients.assertHttpClientSawAReset;
import static dev.netfault.Clients.awaitFinished;
import static dev.netfault.Clients.randomBytes;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.readUntilEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.JournalEvent.Type;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.WebServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("a fault listener in front of a real upstream")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyTests {

    private FaultListener listener;
    private AutoCloseable upstream;

    @AfterEach
    void release() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private FaultListener inFrontOf(RecordingServer server) {
        upstream = server;
        listener = FaultListener.inFrontOf(server.address()).name("proxy").start();
        return listener;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Nested
    @DisplayName("passes through")
    class PassThrough {

        @Test
        void fiveMebibytesOfRandomDataEchoedIntactInBothDirections() throws Exception {
            byte[] data = randomBytes(5 * 1024 * 1024, 42);
            try (Socket socket = connect(inFrontOf(RecordingServer.echo()).address())) {
                CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (int offset = 0; offset < data.length; offset += 100_000) {
                            out.write(data, offset, Math.min(100_000, data.length - offset));
                        }
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                Sockets.Received echoed = readUntilEnd(socket.getInputStream());
                writing.get();

                assertThat(echoed.failure()).isNull();
                assertThat(echoed.bytes()).hasSameSizeAs(data);
                assertThat(sha256(echoed.bytes())).isEqualTo(sha256(data));
            }
            assertThat(sha256(((RecordingServer) upstream).connection(0).receivedUntilEnd())).isEqualTo(sha256(data));
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.bytesFromClient()).isEqualTo(data.length);
            assertThat(record.bytesToClient()).isEqualTo(data.length);
            assertThat(record.faults()).isEmpty();
            assertThat(record.clientClosure()).isEqualTo(Closure.FIN);
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
        }

        @Test
        void clientHalfCloseReachesTheUpstreamWhichCanStillAnswer() throws Exception {
            byte[] request = "the whole request".getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = connect(inFrontOf(RecordingServer.answeringAtEndOfRequest("the answer".getBytes(StandardCharsets.US_ASCII))).address())) {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();

                Sockets.Received answer = readUntilEnd(socket.getInputStream());
                assertThat(answer.failure()).isNull();
                assertThat(answer.bytes()).asString(StandardCharsets.US_ASCII).isEqualTo("the answer");
            }
            assertThat(((RecordingServer) upstream).connection(0).receivedUntilEnd()).isEqualTo(request);
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.clientClosure()).isEqualTo(Closure.FIN);
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
            assertThat(listener.journal().events()).extracting(JournalEvent::type)
                    .containsSubsequence(Type.ACCEPTED, Type.UPSTREAM_CONNECTED, Type.CLIENT_FIN, Type.UPSTREAM_FIN, Type.SENT_FIN);
        }

        @Test
        void upstreamCloseReachesTheClientAsEndOfStreamAfterTheData() throws IOException {
            byte[] greeting = randomBytes(70_000, 8);
            RecordingServer greetingThenClosing = RecordingServer.start((socket, connection) -> socket.getOutputStream().write(greeting));
            try (Socket socket = connect(inFrontOf(greetingThenClosing).address())) {
                Sockets.Received received = readUntilEnd(socket.getInputStream());

                assertThat(received.failure()).isNull();
                assertThat(received.bytes()).isEqualTo(greeting);
            }
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
            assertThat(record.bytesToClient()).isEqualTo(greeting.length);
        }

        @Test
        void nonBlockingChannelClientRoundTrips() throws IOException {
            byte[] message = randomBytes(200_000, 21);
            try (SocketChannel channel = Clients.connectNonBlocking(inFrontOf(RecordingServer.echo()).address());
                 Selector selector = Selector.open()) {
                ByteBuffer out = ByteBuffer.wrap(message);
                ByteBuffer in = ByteBuffer.allocate(message.length);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                while (in.hasRemaining()) {
                    assertThat(selector.select(PATIENCE.toMillis())).as("progress within %s", PATIENCE).isPositive();
                    selector.selectedKeys().clear();
                    if (key.isWritable()) {
                        channel.write(out);
                        if (!out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isReadable()) {
                        assertThat(channel.read(in)).isNotNegative();
                    }
                }
                assertThat(in.array()).isEqualTo(message);
            }
        }

        @Test
        void httpUrlConnectionGetsTheUpstreamsResponse() throws IOException {
            WebServer http = WebServer.answering("hello");
            upstream = http;
            listener = FaultListener.inFrontOf(http.address()).start();
            HttpURLConnection connection = Clients.httpUrlConnection(listener.uri("http"));

            assertThat(connection.getResponseCode()).isEqualTo(200);
            assertThat(connection.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
        }

        @Test
        void httpClientGetsTheUpstreamsResponsesOverOneKeptAliveConnection() throws Exception {
            WebServer http = WebServer.answering("hello");
            upstream = http;
            listener = FaultListener.inFrontOf(http.address()).start();
            HttpClient client = Clients.httpClient();

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = Clients.send(client, Clients.get(listener.uri("http")));
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("hello");
            }
            assertThat(listener.journal().accepted()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("passes failures on")
    class Failures {

        @Test
        void upstreamRefusingTheConnectionResetsTheClient() throws IOException {
            listener = FaultListener.inFrontOf(Clients.unusedAddress()).name("proxy").start();
            try (Socket socket = connect(listener.address())) {
                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.upstreamConnected()).isEmpty();
            assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
            assertThat(listener.journal().events())
                    .anySatisfy(e -> {
                        assertThat(e.type()).isEqualTo(Type.UPSTREAM_FAILED);
                        assertThat(e.detail()).isEqualTo("Connection refused");
                    })
                    .extracting(JournalEvent::type).containsSubsequence(Type.ACCEPTED, Type.UPSTREAM_FAILED, Type.SENT_RST);
        }

        @Test
        void upstreamRefusingTheConnectionResetsAnHttpClient() throws IOException {
            listener = FaultListener.inFrontOf(Clients.unusedAddress()).name("proxy").start();
            HttpClient client = Clients.httpClient();

            assertHttpClientSawAReset(catchThrowable(() -> Clients.send(client, Clients.get(listener.uri("http")))));
        }

        @Test
        void upstreamResetIsPassedOnToTheClient() throws IOException {
            RecordingServer resetting = RecordingServer.start((socket, connection) -> {
                socket.getInputStream().readNBytes(4);
                socket.setSoLinger(true, 0);
            });
            try (Socket socket = connect(inFrontOf(resetting).address())) {
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));

                assertThatThrownBy(() -> socket.getInputStream().read())
                        .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
            assertThat(listener.journal().events()).extracting(JournalEvent::type)
                    .containsSubsequence(Type.UPSTREAM_CONNECTED, Type.UPSTREAM_RST, Type.SENT_RST);
        }

        @Test
        void clientResetIsPassedOnToTheUpstream() throws Exception {
            try (Socket socket = connect(inFrontOf(RecordingServer.echo()).address())) {
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(socket.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
                socket.setSoLinger(true, 0);
            }
            assertThat(((RecordingServer) upstream).connection(0).receivedUntilEnd()).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.clientClosure()).isEqualTo(Closure.RST);
        }
    }

    @Nested
    @DisplayName("journal")
    class JournalRecords {

        @Test
        void recordsEachConnectionInAcceptOrder() throws IOException {
            inFrontOf(RecordingServer.echo());
            int[] clientPorts = new int[3];
            for (int i = 0; i < 3; i++) {
                try (Socket socket = connect(listener.address())) {
                    clientPorts[i] = socket.getLocalPort();
                    socket.getOutputStream().write(new byte[(i + 1) * 100]);
                    socket.shutdownOutput();
                    assertThat(readUntilEnd(socket.getInputStream()).bytes()).hasSize((i + 1) * 100);
                }
                awaitFinished(listener.journal(), i + 1);
            }

            assertThat(listener.journal().connections()).hasSize(3).satisfiesExactly(
                    c -> assertRecord(c, 1, clientPorts[0], 100),
                    c -> assertRecord(c, 2, clientPorts[1], 200),
                    c -> assertRecord(c, 3, clientPorts[2], 300));
            assertThat(listener.journal().faultsFired()).isZero();
            assertThat(listener.journal().describe()).startsWith("journal of netfault listener 'proxy'")
                    .contains("#2 from " + clientPorts[1] + ": 200 bytes in, 200 bytes out; client FIN, netfault FIN");
        }

        @Test
        void neverCountsFewerBytesThanThePeersAlreadyHave() throws IOException {
            inFrontOf(RecordingServer.echo());
            try (Socket socket = connect(listener.address())) {
                socket.setTcpNoDelay(true);
                for (int i = 1; i <= 300; i++) {
                    socket.getOutputStream().write(i);
                    assertThat(socket.getInputStream().read()).isEqualTo(i & 0xff);
                    // the echo has the byte (it sent it back) and so has the client: the journal says so at once
                    ConnectionRecord now = listener.journal().connections().get(0);
                    assertThat(now.bytesFromClient()).as("bytes from the client after round trip %d", i).isEqualTo(i);
                    assertThat(now.bytesToClient()).as("bytes to the client after round trip %d", i).isEqualTo(i);
                }
            }
        }

        private void assertRecord(ConnectionRecord record, long id, int clientPort, long bytes) {
            assertThat(record.id()).isEqualTo(id);
            assertThat(record.client().getPort()).isEqualTo(clientPort);
            assertThat(record.bytesFromClient()).isEqualTo(bytes);
            assertThat(record.bytesToClient()).isEqualTo(bytes);
            assertThat(record.upstreamConnected()).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(record.accepted()));
            assertThat(record.lifetime()).isPresent();
            assertThat(record.leaked()).isFalse();
        }

        @Test
        void recordsTheFaultsThatFired() throws IOException {
            RecordingServer sending = RecordingServer.sending(randomBytes(1000, 4));
            upstream = sending;
            Fault delay = Fault.delay(Duration.ofMillis(50)).afterBytes(Direction.TO_CLIENT, 10);
            Fault reset = Fault.reset().afterBytes(Direction.TO_CLIENT, 100);
            listener = FaultListener.inFrontOf(sending.address()).name("proxy").fault(delay, reset).start();
            try (Socket socket = connect(listener.address())) {
                assertThat(readUntilEnd(socket.getInputStream()).bytes()).hasSize(100);
            }

            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.faults()).extracting(FiredFault::fault).containsExactly(delay, reset);
            assertThat(record.faults()).extracting(FiredFault::bytesToClient).containsExactly(10L, 100L);
            assertThat(listener.journal().faultsFired()).isEqualTo(2);
            assertThat(record.describe()).contains("fired delay 50ms after 10 bytes to the client", "fired reset after 100 bytes to the client", "netfault RST");
        }
    }

    @Nested
    @DisplayName("changes at run time")
    class RunTimeChanges {

        @Test
        void proxyToRelaysConnectionsAcceptedAfterwards() throws IOException {
            RecordingServer echo = RecordingServer.echo();
            upstream = echo;
            listener = FaultListener.standalone().name("proxy").start();
            assertThat(listener.upstream()).isEmpty();

            listener.proxyTo(echo.address());

            assertThat(listener.upstream()).contains(echo.address());
            try (Socket socket = connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(socket.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
            }
        }

        @Test
        void addedAndClearedFaultsApplyToConnectionsAcceptedAfterwards() throws IOException {
            RecordingServer echo = RecordingServer.echo();
            listener = inFrontOf(echo);
            try (Socket before = connect(listener.address())) {
                Clients.awaitAccepted(listener.journal(), 1);
                listener.addFault(Fault.reset());
                assertThat(listener.faults()).containsExactly(Fault.reset());

                try (Socket during = connect(listener.address())) {
                    assertThatThrownBy(() -> during.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
                before.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(before.getInputStream().readNBytes(4)).as("a connection accepted earlier is untouched")
                        .asString(StandardCharsets.US_ASCII).isEqualTo("ping");
            }

            listener.clearFaults();
            assertThat(listener.faults()).isEmpty();
            try (Socket after = connect(listener.address())) {
                after.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                assertThat(after.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("pong");
            }
        }
    }
}
