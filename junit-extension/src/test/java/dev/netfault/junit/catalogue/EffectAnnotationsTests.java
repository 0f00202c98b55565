package dev.netfault.junit.catalogue;

import static dev.netfault.testsupport.Sockets.millisSince;
import static dev.netfault.testsupport.Waiting.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.Direction;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Blackhole;
import dev.netfault.junit.Close;
import dev.netfault.junit.HalfClose;
import dev.netfault.junit.Latency;
import dev.netfault.junit.ListenerDown;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Slice;
import dev.netfault.junit.SlowClose;
import dev.netfault.junit.Stall;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.Reads;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets.Received;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every effect through its annotation, as a user writes it: the annotation on the test, the
 * listener injected, the real server behind it given with {@code proxyTo} once its port is known.
 * Each test asserts what the client sees.
 */
@DisplayName("the catalogue's annotations, as a user writes them")
class EffectAnnotationsTests {

    private RecordingServer peer;

    @AfterEach
    void closeThePeer() {
        if (peer != null) {
            peer.close();
        }
    }

    private RecordingServer behind(FaultListener listener, RecordingServer server) {
        peer = server;
        listener.proxyTo(server.address());
        return server;
    }

    /** Writes {@code request}, reads as many bytes back; {@return how long that took, in ms} */
    private static long roundTrip(Socket socket, String request) throws IOException {
        long start = System.nanoTime();
        socket.getOutputStream().write(request.getBytes(US_ASCII));
        assertThat(new String(socket.getInputStream().readNBytes(request.length()), US_ASCII)).isEqualTo(request);
        return millisSince(start);
    }

    @Nested
    @DisplayName("@Latency")
    class LatencyAnnotation {

        @Test
        @Latency(value = 400, jitter = 100)
        void aRoundTripPaysTheLatencyInEachDirection(FaultListener listener) throws IOException {
            behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(roundTrip(socket, "ping")).isBetween(2 * 300L, 2 * Sockets.PATIENCE.toMillis());
            }
        }

        @Test
        @Latency(value = 400, jitter = 100, direction = Direction.TO_CLIENT)
        void towardsTheClientOnlyTheAnswerIsLate(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                long start = System.nanoTime();
                assertThat(roundTrip(socket, "ping")).isBetween(300L, Sockets.PATIENCE.toMillis());
                assertThat((server.connection(0).firstReadNanos() - start) / 1_000_000).as("ms until the server had the request").isLessThan(300);
            }
        }

        @Test
        @Latency(value = 0, unit = TimeUnit.SECONDS)
        void aZeroLatencyChangesNothing(FaultListener listener) throws IOException {
            behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(roundTrip(socket, "ping")).isLessThan(Sockets.PATIENCE.toMillis());
            }
        }

        @Test
        @Latency(value = 1, unit = TimeUnit.SECONDS, direction = Direction.FROM_CLIENT)
        void aReadTimeoutShorterThanTheLatencyFires(FaultListener listener) throws IOException {
            behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                socket.setSoTimeout(200);
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
        }
    }

    @Nested
    @DisplayName("@Bandwidth")
    class BandwidthAnnotation {

        @Test
        @Bandwidth(bytesPerSecond = 128 * 1024, direction = Direction.TO_CLIENT)
        void sixtyFourKibibytesAt128KibibytesPerSecondTakeHalfASecondAndArriveIntact(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(64 * 1024);
            behind(listener, RecordingServer.sending(data));
            try (Socket socket = Sockets.connect(listener.address())) {
                long start = System.nanoTime();
                byte[] received = socket.getInputStream().readNBytes(data.length);
                assertThat(millisSince(start)).isBetween(400L, Sockets.PATIENCE.toMillis());
                assertThat(received).isEqualTo(data);
            }
        }

        @Test
        @Bandwidth(bytesPerSecond = 128 * 1024, direction = Direction.FROM_CLIENT)
        void fromTheClientTheRequestReachesTheServerAsSlowly(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(64 * 1024);
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                long start = System.nanoTime();
                socket.getOutputStream().write(data);
                RecordingServer.Connection connection = server.connection(0);
                await().until(() -> connection.received().length == data.length);
                assertThat(millisSince(start)).isBetween(400L, Sockets.PATIENCE.toMillis());
                assertThat(connection.received()).isEqualTo(data);
            }
        }
    }

    @Nested
    @DisplayName("@Slice")
    class SliceAnnotation {

        @Test
        @Slice(bytes = 1000, interval = 100, direction = Direction.TO_CLIENT)
        void readsSeeOneSliceAtATimeOfABlockTheServerWroteAtOnce(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(4500);
            behind(listener, RecordingServer.sending(data));
            long start = System.nanoTime();
            try (Socket socket = Sockets.connect(listener.address())) {
                byte[] received = new byte[data.length];
                List<Reads.Read> reads = Reads.readFully(socket, received);
                assertThat(received).isEqualTo(data);
                Reads.assertSliced(reads, 1000, Duration.ofMillis(100), start);
                assertThat(millisSince(start)).as("5 slices, 100 ms apart").isGreaterThanOrEqualTo(400);
            }
        }

        @Test
        @Slice(bytes = 1000, interval = 100, direction = Direction.FROM_CLIENT)
        void theServerReadsOneSliceAtATime(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(4500);
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                long start = System.nanoTime();
                socket.getOutputStream().write(data);
                RecordingServer.Connection connection = server.connection(0);
                await().until(() -> connection.received().length == data.length);
                assertThat(connection.received()).isEqualTo(data);
                Reads.assertSliced(connection.reads(), 1000, Duration.ofMillis(100), start);
                assertThat(millisSince(start)).as("5 slices, 100 ms apart").isGreaterThanOrEqualTo(400);
            }
        }
    }

    @Nested
    @DisplayName("@Close")
    class CloseAnnotation {

        @Test
        @Close(afterBytesToClient = 1000)
        void theClientReadsExactlyNBytesThenEndOfStreamAndNoReset(FaultListener listener, Journal journal) throws IOException {
            byte[] data = Bytes.data(100_000);
            behind(listener, RecordingServer.sending(data));
            try (Socket socket = Sockets.connect(listener.address())) {
                Received received = Sockets.readUntilEnd(socket);
                assertThat(received.end()).isEqualTo("EOF");
                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 1000));
                socket.getOutputStream().write("more".getBytes(US_ASCII));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            // The listener records the FIN just after it sent it.
            await().until(() -> journal.connection(1).orElseThrow().listenerClosure() == Closure.FIN);
        }

        @Test
        @Close(afterBytesFromClient = 10)
        void theServerReceivesExactlyNBytesThenEndOfStream(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("0123456789abcdefghij".getBytes(US_ASCII));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            RecordingServer.Connection connection = server.connection(0);
            await().until(() -> connection.readEnd().isPresent());
            assertThat(new String(connection.received(), US_ASCII)).isEqualTo("0123456789");
            assertThat(connection.readEnd()).contains("EOF");
        }
    }

    @Nested
    @DisplayName("@SlowClose")
    class SlowCloseAnnotation {

        @Test
        @SlowClose(value = 600, direction = Direction.TO_CLIENT)
        void theClientSeesTheServersEndOfStreamOnlyAfterTheDelay(FaultListener listener) throws IOException {
            behind(listener, RecordingServer.sendingThenClosing("hello".getBytes(US_ASCII)));
            try (Socket socket = Sockets.connect(listener.address())) {
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readNBytes(5), US_ASCII)).isEqualTo("hello");
                long data = System.nanoTime();
                assertThat(in.read()).isEqualTo(-1);
                assertThat(millisSince(data)).isBetween(500L, Sockets.PATIENCE.toMillis());
            }
        }

        @Test
        @SlowClose(value = 600, direction = Direction.FROM_CLIENT)
        void theServerSeesTheClientsEndOfStreamOnlyAfterTheDelay(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("bye".getBytes(US_ASCII));
                long closed = System.nanoTime();
                socket.shutdownOutput();
                RecordingServer.Connection connection = server.connection(0);
                await().until(() -> connection.readEnd().isPresent());
                assertThat(connection.readEnd()).contains("EOF");
                assertThat((connection.readEndNanos() - closed) / 1_000_000).isGreaterThanOrEqualTo(600);
            }
        }
    }

    @Nested
    @DisplayName("@Blackhole")
    class BlackholeAnnotation {

        @Test
        @Blackhole
        void writesSucceedAndTheReadTimesOut(FaultListener listener, Journal journal) throws IOException {
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write(Bytes.data(10_000));
                socket.setSoTimeout(300);
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                await().until(() -> journal.connection(1).orElseThrow().bytesFromClient() == 10_000);
            }
        }

        @Test
        @Blackhole(closeAfter = 400)
        void withCloseAfterTheReadReturnsEndOfStreamAfterThatTime(FaultListener listener) throws IOException {
            long start = System.nanoTime();
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
                assertThat(millisSince(start)).isBetween(400L, Sockets.PATIENCE.toMillis());
            }
        }

        @Test
        @Blackhole(direction = Direction.TO_CLIENT)
        void towardsTheClientTheServerGetsTheRequestButNoAnswerComes(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                socket.setSoTimeout(300);
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                assertThat(new String(server.connection(0).received(), US_ASCII)).isEqualTo("ping");
            }
        }
    }

    @Nested
    @DisplayName("@ListenerDown: the test's own listener starts down")
    class ListenerDownAnnotation {

        @Test
        @ListenerDown
        void connectsAreRefusedUntilTheListenerComesUp(FaultListener listener) throws IOException {
            try (Socket socket = new Socket()) {
                assertThatThrownBy(() -> socket.connect(listener.address(), 2_000))
                        .isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");
            }
            listener.up();
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(socket.isConnected()).isTrue();
            }
        }

        @Test
        @ListenerDown
        void downForHealsTheListenerAfterTheGivenTime(FaultListener listener) {
            long start = System.nanoTime();
            listener.downFor(Duration.ofSeconds(2));
            await().pollInterval(Duration.ofMillis(50)).until(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(listener.address(), 1_000);
                    return true;
                } catch (ConnectException refused) {
                    assertThat(refused).hasMessage("Connection refused");
                    return false;
                }
            });
            assertThat(millisSince(start)).isBetween(2_000L, 10_000L);
        }
    }

    @Nested
    @DisplayName("@Reset at an exact offset")
    class ResetAnnotation {

        @Test
        @Reset(afterBytesToClient = 54_321)
        void theClientReadsExactlyNBytesThenConnectionReset(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(200_000);
            behind(listener, RecordingServer.sending(data));
            try (Socket socket = Sockets.connect(listener.address())) {
                Received received = Sockets.readUntilEnd(socket);
                assertThat(received.end()).isEqualTo("SocketException: Connection reset");
                assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 54_321));
            }
        }

        @Test
        @Reset(afterBytesFromClient = 12_345)
        void theServerReceivesExactlyNBytesAndTheClientConnectionReset(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(20_000);
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write(data);
                assertThat(Sockets.readUntilEnd(socket).end()).isEqualTo("SocketException: Connection reset");
            }
            RecordingServer.Connection connection = server.connection(0);
            await().until(() -> connection.readEnd().isPresent());
            assertThat(connection.received()).isEqualTo(Arrays.copyOf(data, 12_345));
        }
    }

    @Nested
    @DisplayName("@HalfClose")
    class HalfCloseAnnotation {

        @Test
        @HalfClose
        void towardsTheClientItReadsEndOfStreamWhileItsWritesStillReachTheServer(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.reading());
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
                socket.getOutputStream().write("still talking".getBytes(US_ASCII));
                RecordingServer.Connection connection = server.connection(0);
                await().until(() -> new String(connection.received(), US_ASCII).equals("still talking"));
            }
        }

        @Test
        @HalfClose(direction = Direction.FROM_CLIENT)
        void towardsTheServerItReadsTheEndOfTheRequestWhileItsAnswerStillReachesTheClient(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.answeringAtEndOfRequest("the answer".getBytes(US_ASCII)));
            try (Socket socket = Sockets.connect(listener.address())) {
                Received received = Sockets.readUntilEnd(socket);
                assertThat(received.end()).isEqualTo("EOF");
                assertThat(new String(received.bytes(), US_ASCII)).isEqualTo("the answer");
            }
            assertThat(server.connection(0).readEnd()).contains("EOF");
        }

        @Test
        @HalfClose(direction = Direction.FROM_CLIENT, afterBytesFromClient = 5)
        void towardsTheServerAfterNBytesItReadsExactlyThoseThenEndOfStream(FaultListener listener) throws IOException {
            RecordingServer server = behind(listener, RecordingServer.answeringAtEndOfRequest("the answer".getBytes(US_ASCII)));
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("hello, and more".getBytes(US_ASCII));
                assertThat(new String(Sockets.readUntilEnd(socket).bytes(), US_ASCII)).isEqualTo("the answer");
            }
            assertThat(new String(server.connection(0).received(), US_ASCII)).isEqualTo("hello");
        }
    }

    @Nested
    @DisplayName("@Stall")
    class StallAnnotation {

        @Test
        @Stall
        void theReadTimesOutAndTheSocketStaysUsable(FaultListener listener) throws IOException {
            behind(listener, RecordingServer.echo());
            try (Socket socket = Sockets.connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                socket.setSoTimeout(300);
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
        }

        @Test
        @Stall(afterBytesToClient = 100)
        void afterNBytesTheClientReadsExactlyThoseThenTimesOut(FaultListener listener) throws IOException {
            byte[] data = Bytes.data(10_000);
            behind(listener, RecordingServer.sending(data));
            try (Socket socket = Sockets.connect(listener.address())) {
                assertThat(socket.getInputStream().readNBytes(100)).isEqualTo(Arrays.copyOf(data, 100));
                socket.setSoTimeout(300);
                assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            }
        }
    }
}
