package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.Reads;
import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A block written in one go arrives in segments of at most the slice size, at least the interval
 * apart. See {@link Reads#assertSliced} for what a reader that was late may see.
 */
@DisplayName("Fault.slice(bytes, interval)")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SliceTests {

    private static final int SLICE = 1000;
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final int SIZE = 4 * SLICE + 500;
    private static final int SEGMENTS = 5;

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientReadsSeeOneSliceAtATimeOfABigBlock() throws IOException {
        byte[] data = Bytes.data(SIZE);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.slice(SLICE, INTERVAL).in(Direction.TO_CLIENT));
        long start = System.nanoTime();
        try (Socket socket = connect(listener.address())) {
            byte[] received = new byte[SIZE];
            List<Reads.Read> reads = Reads.readFully(socket, received);
            assertThat(received).isEqualTo(data);
            Reads.assertSliced(reads, SLICE, INTERVAL, start);
            assertThat(millisSince(start)).isGreaterThanOrEqualTo((SEGMENTS - 1) * INTERVAL.toMillis());
        }
    }

    @Test
    void fromTheClientTheUpstreamReadsOneSliceAtATime() throws IOException {
        byte[] data = Bytes.data(SIZE);
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream, Fault.slice(SLICE, INTERVAL).in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            socket.getOutputStream().write(data);
            RecordingServer.Connection connection = upstream.connection(0);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> connection.received().length == SIZE);
            assertThat(connection.received()).isEqualTo(data);
            Reads.assertSliced(connection.reads(), SLICE, INTERVAL, start);
            assertThat(millisSince(start)).isGreaterThanOrEqualTo((SEGMENTS - 1) * INTERVAL.toMillis());
        }
    }

    @Test
    void onAStandAloneEchoTheEchoComesInSlices() throws IOException {
        byte[] data = Bytes.data(SIZE);
        FaultListener listener = owned.echo(Fault.slice(SLICE, INTERVAL));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            socket.getOutputStream().write(data);
            byte[] received = new byte[SIZE];
            List<Reads.Read> reads = Reads.readFully(socket, received);
            assertThat(received).isEqualTo(data);
            Reads.assertSliced(reads, SLICE, INTERVAL, start);
        }
    }
}
