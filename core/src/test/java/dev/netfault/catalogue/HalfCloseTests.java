package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.halfClose(): one direction shut with a FIN")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HalfCloseTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void towardsTheClientItReadsEndOfStreamWhileItsWritesStillReachTheUpstream() throws IOException {
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream, Fault.halfClose());
        try (Socket socket = connect(listener.address())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            socket.getOutputStream().write("still talking".getBytes(US_ASCII));
            RecordingServer.Connection connection = upstream.connection(0);
            await().atMost(PATIENCE).until(() -> connection.received().length == 13);
            assertThat(new String(connection.received(), US_ASCII)).isEqualTo("still talking");
            socket.shutdownOutput();
            await().atMost(PATIENCE).until(() -> connection.readEnd().isPresent());
            assertThat(connection.readEnd()).contains("EOF");
        }
    }

    @Test
    void towardsTheClientAfterNBytesItReadsExactlyThoseThenEndOfStream() throws IOException {
        byte[] data = Bytes.data(10_000);
        RecordingServer upstream = RecordingServer.start((socket, connection) -> {
            socket.getOutputStream().write(data);
            connection.readUntilEnd(socket);
        });
        FaultListener listener = owned.inFrontOf(upstream, Fault.halfClose().afterBytes(Direction.TO_CLIENT, 3000));
        try (Socket socket = connect(listener.address())) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(received.bytes()).hasSize(3000);
            socket.getOutputStream().write("ack".getBytes(US_ASCII));
            await().atMost(PATIENCE).until(() -> upstream.connection(0).received().length == 3);
        }
    }

    @Test
    void fromTheClientTheUpstreamReadsTheEndOfTheRequestWhileItsAnswerStillReachesTheClient() throws IOException {
        RecordingServer upstream = RecordingServer.answeringAtEndOfRequest("the answer".getBytes(US_ASCII));
        FaultListener listener = owned.inFrontOf(upstream, Fault.halfClose().afterBytes(Direction.FROM_CLIENT, 5));
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("hello, and more".getBytes(US_ASCII));
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(new String(received.bytes(), US_ASCII)).isEqualTo("the answer");
        }
        RecordingServer.Connection connection = upstream.connection(0);
        assertThat(new String(connection.received(), US_ASCII)).isEqualTo("hello");
        assertThat(connection.readEnd()).contains("EOF");
    }

    @Test
    void fromTheClientOnAcceptTheUpstreamReadsAnEmptyRequestAndTheClientStillGetsTheAnswer() throws IOException {
        RecordingServer upstream = RecordingServer.answeringAtEndOfRequest("the answer".getBytes(US_ASCII));
        FaultListener listener = owned.inFrontOf(upstream, Fault.halfClose().in(Direction.FROM_CLIENT));
        try (Socket socket = connect(listener.address())) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(new String(received.bytes(), US_ASCII)).isEqualTo("the answer");
        }
        RecordingServer.Connection connection = upstream.connection(0);
        assertThat(connection.received()).isEmpty();
        assertThat(connection.readEnd()).contains("EOF");
    }

    @Test
    void onAStandAloneEchoTheClientReadsEndOfStreamButCanStillSend() throws IOException {
        FaultListener listener = owned.echo(Fault.halfClose());
        try (Socket socket = connect(listener.address())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            socket.getOutputStream().write(Bytes.data(5000));
            await().atMost(PATIENCE).until(() -> listener.journal().connection(1).orElseThrow().bytesFromClient() == 5000);
        }
    }
}
