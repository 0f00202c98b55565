package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.millisSince;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.latency(latency, jitter)")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LatencyTests {

    private static final Duration LATENCY = Duration.ofMillis(400);
    private static final Duration JITTER = Duration.ofMillis(100);
    /** The least a delayed chunk waits: the latency minus the jitter. */
    private static final long AT_LEAST = LATENCY.minus(JITTER).toMillis();

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    /** Writes {@code request}, reads as many bytes back; {@return how long that took, in ms} */
    private static long roundTrip(Socket socket, String request) throws IOException {
        long start = System.nanoTime();
        socket.getOutputStream().write(request.getBytes(US_ASCII));
        byte[] answer = socket.getInputStream().readNBytes(request.length());
        long elapsed = millisSince(start);
        assertThat(new String(answer, US_ASCII)).isEqualTo(request);
        return elapsed;
    }

    @Nested
    @DisplayName("on a stand-alone echo listener")
    class StandAlone {

        @Test
        void everyAnswerArrivesLateByAtLeastTheLatencyMinusTheJitter() throws IOException {
            FaultListener listener = owned.echo(Fault.latency(LATENCY, JITTER));
            try (Socket socket = connect(listener.address())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(roundTrip(socket, "ping" + i)).isBetween(AT_LEAST, PATIENCE.toMillis());
                }
            }
        }

        @Test
        void aReadTimeoutShorterThanTheLatencyFiresAndTheAnswerStillComes() throws IOException {
            FaultListener listener = owned.echo(Fault.latency(Duration.ofMillis(800), Duration.ZERO));
            try (Socket socket = connect(listener.address())) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                socket.setSoTimeout(200);
                InputStream in = socket.getInputStream();
                assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");

                socket.setSoTimeout((int) PATIENCE.toMillis());
                assertThat(new String(in.readNBytes(4), US_ASCII)).isEqualTo("ping");
            }
        }
    }

    @Nested
    @DisplayName("in front of an upstream, per direction")
    class InFrontOfAnUpstream {

        @Test
        void towardsTheClientDelaysOnlyTheAnswer() throws IOException {
            RecordingServer upstream = RecordingServer.echo();
            FaultListener listener = owned.inFrontOf(upstream, Fault.latency(LATENCY, JITTER).in(Direction.TO_CLIENT));
            try (Socket socket = connect(listener.address())) {
                long start = System.nanoTime();
                long elapsed = roundTrip(socket, "ping");
                assertThat(elapsed).isBetween(AT_LEAST, PATIENCE.toMillis());
                long requestArrived = (upstream.connection(0).firstReadNanos() - start) / 1_000_000;
                assertThat(requestArrived).as("ms until the upstream had the request").isLessThan(AT_LEAST);
            }
        }

        @Test
        void fromTheClientDelaysTheRequestOnItsWayUpstream() throws IOException {
            RecordingServer upstream = RecordingServer.echo();
            FaultListener listener = owned.inFrontOf(upstream, Fault.latency(LATENCY, JITTER).in(Direction.FROM_CLIENT));
            try (Socket socket = connect(listener.address())) {
                long start = System.nanoTime();
                long elapsed = roundTrip(socket, "ping");
                long requestArrived = (upstream.connection(0).firstReadNanos() - start) / 1_000_000;
                assertThat(requestArrived).as("ms until the upstream had the request").isBetween(AT_LEAST, PATIENCE.toMillis());
                assertThat(elapsed).isGreaterThanOrEqualTo(requestArrived);
            }
        }

        @Test
        void inBothDirectionsARoundTripPaysTheLatencyTwice() throws IOException {
            FaultListener listener = owned.inFrontOf(RecordingServer.echo(), Fault.latency(LATENCY, JITTER));
            try (Socket socket = connect(listener.address())) {
                assertThat(roundTrip(socket, "ping")).isBetween(2 * AT_LEAST, 2 * PATIENCE.toMillis());
            }
        }
    }

    @Nested
    @DisplayName("jitter")
    class Jitter {

        /** 300 separate writes, each a chunk the listener delays by its own draw from 10 to 70 ms. */
        private static final int CHUNKS = 300;
        private static final int CHUNK = 1000;

        @Test
        void neverReordersTheBytesOfAStandAloneEcho() throws Exception {
            FaultListener listener = owned.echo(Fault.latency(Duration.ofMillis(40), Duration.ofMillis(30)));
            assertEchoedIntact(listener);
        }

        @Test
        void neverReordersTheBytesRelayedInEitherDirection() throws Exception {
            FaultListener listener = owned.inFrontOf(RecordingServer.echo(), Fault.latency(Duration.ofMillis(40), Duration.ofMillis(30)));
            assertEchoedIntact(listener);
        }

        private void assertEchoedIntact(FaultListener listener) throws Exception {
            byte[] data = Bytes.data(CHUNKS * CHUNK);
            try (Socket socket = connect(listener.address())) {
                OutputStream out = socket.getOutputStream();
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < CHUNKS; i++) {
                            out.write(data, i * CHUNK, CHUNK);
                            // Paces the writes so that the listener reads (and delays) them one by one.
                            TimeUnit.MICROSECONDS.sleep(500);
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] echoed = socket.getInputStream().readNBytes(data.length);
                writer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(echoed).as("the echo, byte for byte").isEqualTo(data);
            }
            await().atMost(PATIENCE).until(() -> listener.journal().connection(1).orElseThrow().bytesToClient() == data.length);
        }
    }
}
