package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.slowClose(delay): the peer's FIN passed on late")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowCloseTests {

    private static final Duration DELAY = Duration.ofMillis(600);

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientItGetsTheDataAtOnceAndEndOfStreamOnlyAfterTheDelay() throws IOException {
        FaultListener listener = owned.inFrontOf(RecordingServer.sendingThenClosing("hello".getBytes(US_ASCII)),
                Fault.slowClose(DELAY).in(Direction.TO_CLIENT));
        try (Socket socket = connect(listener.address())) {
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            assertThat(new String(in.readNBytes(5), US_ASCII)).isEqualTo("hello");
            long dataMillis = Sockets.millisSince(start);
            assertThat(in.read()).isEqualTo(-1);
            long endMillis = Sockets.millisSince(start);
            assertThat(dataMillis).as("ms until the data").isLessThan(DELAY.toMillis() - 100);
            // The upstream closed right after its data: the client's -1 comes the delay later.
            assertThat(endMillis - dataMillis).as("ms from the data to the end of stream").isBetween(DELAY.toMillis() - 100, PATIENCE.toMillis());
        }
    }

    @Test
    void fromTheClientTheUpstreamReadsTheEndOfTheRequestOnlyAfterTheDelay() throws IOException {
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream, Fault.slowClose(DELAY).in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("bye".getBytes(US_ASCII));
            long closed = System.nanoTime();
            socket.shutdownOutput();
            RecordingServer.Connection connection = upstream.connection(0);
            await().atMost(PATIENCE).until(() -> connection.readEnd().isPresent());
            assertThat(new String(connection.received(), US_ASCII)).isEqualTo("bye");
            assertThat(connection.readEnd()).contains("EOF");
            assertThat((connection.firstReadNanos() - closed) / 1_000_000).as("ms until the data").isLessThan(DELAY.toMillis() - 100);
            assertThat((connection.readEndNanos() - closed) / 1_000_000).as("ms until the end of stream").isGreaterThanOrEqualTo(DELAY.toMillis());
        }
    }

    @Test
    void onAStandAloneEchoTheClientsCloseIsAnsweredAfterTheDelay() throws IOException {
        FaultListener listener = owned.echo(Fault.slowClose(DELAY));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("bye".getBytes(US_ASCII));
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(3), US_ASCII)).isEqualTo("bye");
            long closed = System.nanoTime();
            socket.shutdownOutput();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(Sockets.millisSince(closed)).isBetween(DELAY.toMillis(), PATIENCE.toMillis());
        }
    }
}
