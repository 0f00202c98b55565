package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.blackhole(): data dropped, the connection looks alive")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlackholeTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void writesSucceedAndTheReadTimesOut() throws IOException {
        FaultListener listener = owned.echo(Fault.blackhole());
        try (Socket socket = connect(listener.address())) {
            byte[] request = Bytes.data(10_000);
            socket.getOutputStream().write(request);
            socket.setSoTimeout(300);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            await().atMost(PATIENCE).until(() -> listener.journal().connection(1).orElseThrow().bytesFromClient() == request.length);
            assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            ConnectionRecord record = listener.journal().connection(1).orElseThrow();
            assertThat(record.bytesToClient()).isZero();
            assertThat(record.listenerClosure()).isEqualTo(Closure.OPEN);
        }
    }

    @Test
    void withACloseTheReadReturnsEndOfStreamAfterThatTime() throws IOException {
        FaultListener listener = owned.echo(Fault.blackhole(Duration.ofMillis(400)));
        long start = System.nanoTime();
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Sockets.millisSince(start)).isBetween(400L, PATIENCE.toMillis());
        }
        // The listener records the FIN just after it sent it.
        await().atMost(PATIENCE).until(() -> listener.journal().connection(1).orElseThrow().listenerClosure() == Closure.FIN);
    }

    @Test
    void towardsTheClientTheUpstreamStillGetsTheRequestButNoAnswerArrives() throws IOException {
        RecordingServer upstream = RecordingServer.echo();
        FaultListener listener = owned.inFrontOf(upstream, Fault.blackhole().in(Direction.TO_CLIENT));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            socket.setSoTimeout(300);
            assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            assertThat(new String(upstream.connection(0).received(), US_ASCII)).isEqualTo("ping");
        }
    }

    @Test
    void fromTheClientTheAnswerStillArrivesButTheUpstreamGetsNothing() throws IOException {
        RecordingServer upstream = RecordingServer.sending("hello".getBytes(US_ASCII));
        FaultListener listener = owned.inFrontOf(upstream, Fault.blackhole().in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            assertThat(new String(socket.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("hello");
            socket.getOutputStream().write(Bytes.data(1000));
            await().atMost(PATIENCE).until(() -> listener.journal().connection(1).orElseThrow().bytesFromClient() == 1000);
            await().during(Duration.ofMillis(300)).atMost(PATIENCE).until(() -> upstream.connection(0).received().length == 0);
        }
    }
}
