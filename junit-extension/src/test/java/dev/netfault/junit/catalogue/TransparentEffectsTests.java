package dev.netfault.junit.catalogue;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Direction;
import dev.netfault.Journal;
import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Blackhole;
import dev.netfault.junit.HalfClose;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.Slice;
import dev.netfault.junit.SlowClose;
import dev.netfault.junit.Stall;
import dev.netfault.junit.support.Clients;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.Reads;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import dev.netfault.testsupport.Waiting;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The effects aimed transparently at a target through the socket agent: the application connects
 * to {@code localhost:<port>} of its real server, unchanged, and meets the fault.
 */
@DisplayName("the catalogue aimed at a target through the socket agent")
class TransparentEffectsTests {

    private RecordingServer peer;

    @AfterEach
    void closeThePeer() {
        if (peer != null) {
            peer.close();
        }
    }

    /** {@return a socket as the application opens it: to the real server's host name and port, with a read timeout} */
    private static Socket connectAsTheApplicationDoes(RecordingServer server) throws IOException {
        Socket socket = new Socket("localhost", server.port());
        socket.setSoTimeout((int) Sockets.PATIENCE.toMillis());
        return socket;
    }

    @Test
    @Latency(value = 400, direction = Direction.TO_CLIENT)
    void latencyMakesTheRealServersAnswerLate(NetFault netfault, Journal journal) throws IOException {
        peer = RecordingServer.echo();
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            long start = System.nanoTime();
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(4), US_ASCII)).isEqualTo("ping");
            assertThat(Clients.since(start).toMillis()).isBetween(400L, Sockets.PATIENCE.toMillis());
            assertThat(socket.getPort()).isEqualTo(peer.port());
        }
        // The listener counts a chunk once its write returned, which may be just after the client read it.
        Waiting.await().untilAsserted(() -> assertThat(journal.connections()).singleElement()
                .satisfies(c -> assertThat(c.bytesToClient()).isEqualTo(4)));
    }

    @Test
    @Close(afterBytesToClient = 1000)
    void closeAfterNBytesCutsTheRealServersAnswerWithAFin(NetFault netfault) throws IOException {
        byte[] data = Bytes.data(50_000);
        peer = RecordingServer.sending(data);
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.failure()).isNull();
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 1000));
        }
    }

    @Test
    @Reset(afterBytesToClient = 1000)
    void resetAfterNBytesCutsTheRealServersAnswerWithConnectionReset(NetFault netfault) throws IOException {
        byte[] data = Bytes.data(50_000);
        peer = RecordingServer.sending(data);
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.failure()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 1000));
        }
    }

    @Test
    @Bandwidth(bytesPerSecond = 128 * 1024, direction = Direction.TO_CLIENT)
    void bandwidthSlowsTheRealServersAnswer(NetFault netfault) throws IOException {
        byte[] data = Bytes.data(64 * 1024);
        peer = RecordingServer.sending(data);
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            long start = System.nanoTime();
            assertThat(socket.getInputStream().readNBytes(data.length)).isEqualTo(data);
            assertThat(Clients.since(start).toMillis()).isBetween(400L, Sockets.PATIENCE.toMillis());
        }
    }

    @Test
    @Slice(bytes = 1000, interval = 100, direction = Direction.FROM_CLIENT)
    void slicingSplitsWhatTheRealServerReads(NetFault netfault) throws IOException {
        byte[] data = Bytes.data(4500);
        peer = RecordingServer.reading();
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            long start = System.nanoTime();
            socket.getOutputStream().write(data);
            RecordingServer.Connection connection = peer.connection(0);
            Waiting.await().until(() -> connection.received().length == data.length);
            assertThat(connection.received()).isEqualTo(data);
            Reads.assertSliced(connection.reads(), 1000, java.time.Duration.ofMillis(100), start);
            assertThat(Clients.since(start).toMillis()).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    @SlowClose(value = 600, direction = Direction.TO_CLIENT)
    void slowCloseDelaysTheRealServersEndOfStream(NetFault netfault) throws IOException {
        peer = RecordingServer.sendingThenClosing("hello".getBytes(US_ASCII));
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            assertThat(new String(socket.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("hello");
            long data = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(Clients.since(data).toMillis()).isBetween(500L, Sockets.PATIENCE.toMillis());
        }
    }

    @Test
    @Blackhole(direction = Direction.TO_CLIENT)
    void blackholeSwallowsTheRealServersAnswer(NetFault netfault) throws IOException {
        peer = RecordingServer.echo();
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            socket.setSoTimeout(300);
            assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            assertThat(new String(peer.connection(0).received(), US_ASCII)).isEqualTo("ping");
        }
    }

    @Test
    @HalfClose(direction = Direction.FROM_CLIENT)
    void halfCloseEndsTheRequestWhileTheRealServersAnswerStillArrives(NetFault netfault) throws IOException {
        peer = RecordingServer.answeringAtEndOfRequest("the answer".getBytes(US_ASCII));
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            assertThat(new String(socket.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("the answer");
        }
    }

    @Test
    @Stall(afterBytesToClient = 100)
    void stallFreezesTheRealServersAnswerAfterNBytes(NetFault netfault) throws IOException {
        byte[] data = Bytes.data(10_000);
        peer = RecordingServer.sending(data);
        netfault.aimAt("localhost:" + peer.port());
        try (Socket socket = connectAsTheApplicationDoes(peer)) {
            assertThat(socket.getInputStream().readNBytes(100)).isEqualTo(Arrays.copyOf(data, 100));
            socket.setSoTimeout(300);
            assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }
}
