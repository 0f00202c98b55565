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
import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 64 KiB at 128 KiB/s: half a second on the wire, never much less. */
@DisplayName("Fault.bandwidth(bytesPerSecond)")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BandwidthTests {

    private static final int SIZE = 64 * 1024;
    private static final long RATE = 128 * 1024;
    /** The least 64 KiB at 128 KiB/s can take (0.5 s less one 20 ms burst, rounded down). */
    private static final long AT_LEAST_MS = 400;

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientAnAnswerTakesAsLongAsTheBandwidthSaysAndArrivesIntact() throws IOException {
        byte[] data = Bytes.data(SIZE);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.bandwidth(RATE).in(Direction.TO_CLIENT));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            byte[] received = socket.getInputStream().readNBytes(SIZE);
            assertThat(millisSince(start)).isBetween(AT_LEAST_MS, PATIENCE.toMillis());
            assertThat(received).isEqualTo(data);
        }
    }

    @Test
    void fromTheClientARequestReachesTheUpstreamAsSlowlyAndIntact() throws IOException {
        byte[] data = Bytes.data(SIZE);
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream, Fault.bandwidth(RATE).in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            socket.getOutputStream().write(data); // the socket buffers take it at once
            RecordingServer.Connection connection = upstream.connection(0);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> connection.received().length == SIZE);
            assertThat(millisSince(start)).isBetween(AT_LEAST_MS, PATIENCE.toMillis());
            assertThat(connection.received()).isEqualTo(data);
        }
    }

    @Test
    void onAStandAloneEchoTheEchoIsLimited() throws IOException {
        byte[] data = Bytes.data(SIZE);
        FaultListener listener = owned.echo(Fault.bandwidth(RATE));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            socket.getOutputStream().write(data);
            byte[] received = socket.getInputStream().readNBytes(SIZE);
            assertThat(millisSince(start)).isBetween(AT_LEAST_MS, PATIENCE.toMillis());
            assertThat(received).isEqualTo(data);
        }
    }

    @Test
    void theOtherDirectionKeepsItsSpeed() throws IOException {
        byte[] data = Bytes.data(4 * SIZE);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.bandwidth(RATE).in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            byte[] received = socket.getInputStream().readNBytes(data.length);
            // 256 KiB would take 2 s at the limit
            assertThat(millisSince(start)).isLessThan(1_500);
            assertThat(received).isEqualTo(data);
        }
    }
}
