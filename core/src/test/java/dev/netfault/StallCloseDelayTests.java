package dev.netfault;

import static dev.netfault.Clients.awaitFinished;
import static dev.netfault.Clients.randomBytes;
import static dev.netfault.Clients.readWhenReady;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.millisSince;
import static dev.netfault.testsupport.Sockets.readUntilEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.WebServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.stall(), Fault.close() and Fault.delay()")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StallCloseDelayTests {

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

    private FaultListener standalone(Fault fault) {
        listener = FaultListener.standalone().name("stall-close-delay").fault(fault).start();
        return listener;
    }

    private FaultListener inFrontOf(RecordingServer server, Fault fault) {
        upstream = server;
        listener = FaultListener.inFrontOf(server.address()).name("stall-close-delay").fault(fault).start();
        return listener;
    }

    @Nested
    @DisplayName("stall")
    class Stall {

        @Test
        void socketReadTimesOutAndTheSocketStaysUsable() throws IOException {
            try (Socket socket = connect(standalone(Fault.stall()).address())) {
                socket.setSoTimeout(300);
                InputStream in = socket.getInputStream();

                long start = System.nanoTime();
                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                assertThat(millisSince(start)).isBetween(250L, PATIENCE.toMillis());

                assertThat(socket.isClosed()).isFalse();
                socket.getOutputStream().write("still there?".getBytes(StandardCharsets.US_ASCII));
                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
            await().atMost(PATIENCE).untilAsserted(() -> {
                ConnectionRecord record = listener.journal().connection(1).orElseThrow();
                assertThat(record.fired(Effect.Stall.class)).isTrue();
                assertThat(record.listenerClosure()).isEqualTo(Closure.OPEN);
            });
        }

        @Test
        void socketReceivesExactlyNBytesThenItsReadTimesOut() throws IOException {
            byte[] response = randomBytes(10_000, 5);
            try (Socket socket = connect(inFrontOf(RecordingServer.sending(response), Fault.stall().afterBytes(Direction.TO_CLIENT, 1000)).address())) {
                InputStream in = socket.getInputStream();
                assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(response, 1000));

                socket.setSoTimeout(300);
                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
            await().atMost(PATIENCE).untilAsserted(
                    () -> assertThat(listener.journal().connection(1).orElseThrow().bytesToClient()).isEqualTo(1000));
        }

        @Test
        void channelSocketAdaptorHonoursItsReadTimeout() throws IOException {
            try (SocketChannel channel = SocketChannel.open(standalone(Fault.stall()).address())) {
                channel.socket().setSoTimeout(300);

                assertThatThrownBy(() -> channel.socket().getInputStream().read())
                        .isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
        }

        @Test
        void blockingChannelReadIgnoresTheReadTimeoutAndBlocksUntilTheListenerCloses() throws Exception {
            try (SocketChannel channel = SocketChannel.open(standalone(Fault.stall()).address())) {
                channel.socket().setSoTimeout(300);
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return channel.read(ByteBuffer.allocate(16));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });

                await().during(Duration.ofMillis(600)).atMost(PATIENCE).until(() -> !read.isDone());
                listener.close(); // closing resets what the listener holds

                assertThat(read).failsWithin(PATIENCE).withThrowableOfType(Exception.class)
                        .havingRootCause().isExactlyInstanceOf(SocketException.class).withMessage("Connection reset");
            }
        }

        @Test
        void nonBlockingChannelNeverBecomesReadable() throws IOException {
            try (SocketChannel channel = Clients.connectNonBlocking(standalone(Fault.stall()).address());
                 java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                channel.register(selector, java.nio.channels.SelectionKey.OP_READ);

                assertThat(selector.select(300)).isZero();
                assertThat(channel.read(ByteBuffer.allocate(16))).isZero();
            }
        }

        @Test
        void httpUrlConnectionReadTimesOut() throws IOException {
            HttpURLConnection connection = Clients.httpUrlConnection(standalone(Fault.stall()).uri("http"));
            connection.setReadTimeout(300);

            assertThatThrownBy(connection::getResponseCode).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }

        @Test
        void httpClientRequestTimesOut() {
            HttpClient client = Clients.httpClient();
            HttpRequest request = HttpRequest.newBuilder(standalone(Fault.stall()).uri("http")).timeout(Duration.ofMillis(300)).build();

            long start = System.nanoTime();
            assertThatThrownBy(() -> Clients.send(client, request))
                    .isExactlyInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
            assertThat(millisSince(start)).isLessThan(PATIENCE.toMillis());
            assertThat(listener.journal().accepted()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("close (a FIN)")
    class Close {

        @Test
        void socketReadReturnsEndOfStreamWithoutAResetEvenWithUnreadData() throws IOException {
            try (Socket socket = connect(standalone(Fault.close()).address())) {
                OutputStream out = socket.getOutputStream();
                out.write(randomBytes(64 * 1024, 1)); // sent before the listener even accepted: never read by an application

                assertThat(socket.getInputStream().read()).isEqualTo(-1);
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
                out.write(randomBytes(1024, 2)); // a half-closed peer still takes what the client sends
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            ConnectionRecord record = awaitFinished(listener.journal(), 1);
            assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
            assertThat(record.clientClosure()).isEqualTo(Closure.FIN);
            assertThat(record.fired(Effect.Close.class)).isTrue();
        }

        @Test
        void blockingChannelReadReturnsEndOfStream() throws IOException {
            try (SocketChannel channel = SocketChannel.open(standalone(Fault.close()).address())) {
                channel.write(ByteBuffer.wrap(randomBytes(1024, 1)));

                assertThat(channel.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            }
        }

        @Test
        void nonBlockingChannelBecomesReadableAtEndOfStream() throws IOException {
            try (SocketChannel channel = Clients.connectNonBlocking(standalone(Fault.close()).address())) {
                assertThat(readWhenReady(channel, ByteBuffer.allocate(16))).isEqualTo(-1);
            }
        }

        @Test
        void socketReceivesExactlyNBytesThenEndOfStream() throws IOException {
            byte[] response = randomBytes(1024 * 1024, 9);
            int n = 300_000; // a FIN queues behind the data, so unlike a reset it is exact at any offset
            try (Socket socket = connect(inFrontOf(RecordingServer.sending(response), Fault.close().afterBytes(Direction.TO_CLIENT, n)).address())) {
                Sockets.Received received = readUntilEnd(socket.getInputStream());

                assertThat(received.failure()).isNull();
                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(response, n));
            }
            assertThat(awaitFinished(listener.journal(), 1).bytesToClient()).isEqualTo(n);
        }

        @Test
        void echoListenerEchoesExactlyNBytesThenEndOfStream() throws IOException {
            listener = FaultListener.standalone().echo().fault(Fault.close().afterBytes(Direction.TO_CLIENT, 5)).start();
            try (Socket socket = connect(listener.address())) {
                socket.getOutputStream().write("hello world".getBytes(StandardCharsets.US_ASCII));

                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            }
        }

        @Test
        void httpUrlConnectionThrowsUnexpectedEndOfFileAfterRetrying() throws IOException {
            HttpURLConnection connection = Clients.httpUrlConnection(standalone(Fault.close()).uri("http"));

            assertThatThrownBy(connection::getResponseCode)
                    .isExactlyInstanceOf(SocketException.class).hasMessage("Unexpected end of file from server");
            assertThat(listener.journal().accepted()).isEqualTo(2);
        }

        @Test
        void httpClientThrowsHeaderParserReceivedNoBytesAfterRetrying() {
            HttpClient client = Clients.httpClient();

            assertThatThrownBy(() -> Clients.send(client, Clients.get(standalone(Fault.close()).uri("http"))))
                    .isExactlyInstanceOf(IOException.class).hasMessage("HTTP/1.1 header parser received no bytes")
                    .rootCause().isExactlyInstanceOf(EOFException.class).hasMessage("EOF reached while reading");
            assertThat(listener.journal().accepted()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("delay")
    class Delay {

        private static final Duration DELAY = Duration.ofMillis(400);

        @Test
        void onAcceptTheEchoArrivesLaterByAtLeastTheDelay() throws IOException {
            listener = FaultListener.standalone().echo().fault(Fault.delay(DELAY)).start();
            long start = System.nanoTime();
            try (Socket socket = connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));

                assertThat(socket.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("ping");
                assertThat(millisSince(start)).isBetween(DELAY.toMillis(), PATIENCE.toMillis());
            }
        }

        @Test
        void atAnOffsetToTheClientOnlyTheRestOfTheResponseWaits() throws IOException {
            byte[] response = randomBytes(200, 13);
            try (Socket socket = connect(inFrontOf(RecordingServer.sending(response), Fault.delay(DELAY).afterBytes(Direction.TO_CLIENT, 100)).address())) {
                InputStream in = socket.getInputStream();
                byte[] head = in.readNBytes(100);
                byte[] tail = in.readNBytes(100);
                Instant tailArrived = Instant.now();

                assertThat(head).isEqualTo(Arrays.copyOf(response, 100));
                assertThat(tail).isEqualTo(Arrays.copyOfRange(response, 100, 200));
                FiredFault fired = listener.journal().connection(1).orElseThrow().faults().get(0);
                assertThat(fired.bytesToClient()).isEqualTo(100);
                assertThat(Duration.between(fired.at(), tailArrived)).isBetween(DELAY.minusMillis(5), PATIENCE);
            }
        }

        @Test
        void atAnOffsetFromTheClientTheRestOfTheRequestWaits() throws Exception {
            byte[] request = randomBytes(200, 17);
            try (Socket socket = connect(inFrontOf(RecordingServer.echo(), Fault.delay(DELAY).afterBytes(Direction.FROM_CLIENT, 100)).address())) {
                socket.getOutputStream().write(request);
                InputStream in = socket.getInputStream();
                byte[] head = in.readNBytes(100);
                byte[] tail = in.readNBytes(100);
                Instant tailArrived = Instant.now();

                assertThat(head).isEqualTo(Arrays.copyOf(request, 100));
                assertThat(tail).isEqualTo(Arrays.copyOfRange(request, 100, 200));
                FiredFault fired = listener.journal().connection(1).orElseThrow().faults().get(0);
                assertThat(fired.bytesFromClient()).isEqualTo(100);
                assertThat(Duration.between(fired.at(), tailArrived)).isBetween(DELAY.minusMillis(5), PATIENCE);
            }
        }

        @Test
        void httpUrlConnectionGetsTheResponseLaterByAtLeastTheDelay() throws IOException {
            WebServer http = WebServer.answering("hello");
            upstream = http;
            listener = FaultListener.inFrontOf(http.address()).fault(Fault.delay(DELAY)).start();
            HttpURLConnection connection = Clients.httpUrlConnection(listener.uri("http"));

            long start = System.nanoTime();
            assertThat(connection.getResponseCode()).isEqualTo(200);
            assertThat(connection.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
            assertThat(millisSince(start)).isBetween(DELAY.toMillis(), PATIENCE.toMillis());
        }

        @Test
        void httpClientGetsTheResponseLaterByAtLeastTheDelay() throws Exception {
            WebServer http = WebServer.answering("hello");
            upstream = http;
            listener = FaultListener.inFrontOf(http.address()).fault(Fault.delay(DELAY)).start();
            HttpClient client = Clients.httpClient();

            long start = System.nanoTime();
            HttpResponse<String> response = Clients.send(client, Clients.get(listener.uri("http")));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
            assertThat(millisSince(start)).isBetween(DELAY.toMillis(), PATIENCE.toMillis());
        }
    }
}
