package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.close() after exactly N bytes: a FIN mid-stream")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseAfterBytesTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientItReadsExactlyNBytesThenEndOfStreamAndNoReset() throws IOException {
        byte[] data = Bytes.data(100_000);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.close().afterBytes(Direction.TO_CLIENT, 1000));
        try (Socket socket = connect(listener.address())) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 1000));

            // Whatever the client still sends is read and dropped: no RST follows the FIN.
            socket.getOutputStream().write("more".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            socket.getOutputStream().write("still more".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(PATIENCE).until(() -> listener.journal().connection(1).flatMap(ConnectionRecord::closed).isPresent());
        ConnectionRecord record = listener.journal().connection(1).orElseThrow();
        assertThat(record.bytesToClient()).isEqualTo(1000);
        assertThat(record.listenerClosure()).isEqualTo(Closure.FIN);
        assertThat(record.clientClosure()).isEqualTo(Closure.FIN);
    }

    @Test
    void fromTheClientTheUpstreamReceivesExactlyNBytesThenEndOfStream() throws IOException {
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream, Fault.close().afterBytes(Direction.FROM_CLIENT, 10));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("0123456789abcdefghij".getBytes(US_ASCII));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        RecordingServer.Connection connection = upstream.connection(0);
        await().atMost(PATIENCE).until(() -> connection.readEnd().isPresent());
        assertThat(new String(connection.received(), US_ASCII)).isEqualTo("0123456789");
        assertThat(connection.readEnd()).contains("EOF");
        assertThat(listener.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.FIN);
    }

    @Test
    void onAStandAloneEchoTheEchoStopsAfterExactlyNBytes() throws IOException {
        FaultListener listener = owned.echo(Fault.close().afterBytes(Direction.TO_CLIENT, 5));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("0123456789".getBytes(US_ASCII));
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(new String(received.bytes(), US_ASCII)).isEqualTo("01234");
        }
    }

    @Test
    void onAcceptTheClientReadsEndOfStreamAtOnce() throws IOException {
        FaultListener listener = owned.echo(Fault.close());
        try (Socket socket = connect(listener.address())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }
}
