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

@DisplayName("Fault.reset() at an exact byte offset mid-stream")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResetMidStreamTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientItReadsExactlyNBytesThenConnectionReset() throws IOException {
        byte[] data = Bytes.data(200_000);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.reset().afterBytes(Direction.TO_CLIENT, 54_321));
        try (Socket socket = connect(listener.address())) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("SocketException: Connection reset");
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 54_321));
        }
        ConnectionRecord record = listener.journal().connection(1).orElseThrow();
        assertThat(record.bytesToClient()).isEqualTo(54_321);
        assertThat(record.listenerClosure()).isEqualTo(Closure.RST);
    }

    @Test
    void fromTheClientTheUpstreamReceivesExactlyNBytesAndTheClientConnectionReset() throws IOException {
        RecordingServer upstream = RecordingServer.reading();
        byte[] data = Bytes.data(20_000);
        FaultListener listener = owned.inFrontOf(upstream, Fault.reset().afterBytes(Direction.FROM_CLIENT, 12_345));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write(data); // taken by the socket buffers before the reset
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("SocketException: Connection reset");
            assertThat(received.bytes()).isEmpty();
        }
        RecordingServer.Connection connection = upstream.connection(0);
        await().atMost(PATIENCE).until(() -> connection.readEnd().isPresent());
        assertThat(connection.received()).isEqualTo(Arrays.copyOf(data, 12_345));
        // The upstream side is closed (not reset): it reads the end of the request.
        assertThat(connection.readEnd()).contains("EOF");
        assertThat(listener.journal().connection(1).orElseThrow().bytesFromClient()).isEqualTo(12_345);
    }

    @Test
    void onAStandAloneEchoTheEchoStopsAfterExactlyNBytesWithConnectionReset() throws IOException {
        FaultListener listener = owned.echo(Fault.reset().afterBytes(Direction.TO_CLIENT, 7));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("0123456789".getBytes(US_ASCII));
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("SocketException: Connection reset");
            assertThat(new String(received.bytes(), US_ASCII)).isEqualTo("0123456");
        }
    }
}
