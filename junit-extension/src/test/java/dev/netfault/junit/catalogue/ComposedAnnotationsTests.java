package dev.netfault.junit.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.Bandwidth;
import dev.netfault.junit.Close;
import dev.netfault.junit.Reset;
import dev.netfault.junit.Latency;
import dev.netfault.junit.support.Clients;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.Reads;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.Socket;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("annotations compose on one listener")
class ComposedAnnotationsTests {

    /** A user's own annotation: a slow link that drops the connection after 1 KiB. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @Latency(400)
    @Reset(afterBytesToClient = 1024)
    @interface SlowLinkThatDropsAfterOneKibibyte {
    }

    private RecordingServer peer;

    @AfterEach
    void closeThePeer() {
        if (peer != null) {
            peer.close();
        }
    }

    /** Reads until the end; asserts exactly the first 1024 bytes of {@code data}, late, then a reset. */
    private static void assertLateKibibyteThenReset(FaultListener listener, byte[] data) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = Sockets.connect(listener.address())) {
            int first = socket.getInputStream().read();
            long firstByteMillis = Clients.since(start).toMillis();
            Received rest = Sockets.readUntilEnd(socket);

            assertThat(firstByteMillis).as("ms until the first byte").isBetween(400L, Sockets.PATIENCE.toMillis());
            assertThat(rest.failure()).isExactlyInstanceOf(java.net.SocketException.class).hasMessage("Connection reset");
            byte[] received = new byte[1 + rest.bytes().length];
            received[0] = (byte) first;
            System.arraycopy(rest.bytes(), 0, received, 1, rest.bytes().length);
            assertThat(received).isEqualTo(Arrays.copyOf(data, 1024));
        }
    }

    @Test
    @Latency(400)
    @Reset(afterBytesToClient = 1024)
    void latencyPlusAResetAfterOneKibibyteDeliversExactly1024BytesLateThenConnectionReset(FaultListener listener, Journal journal)
            throws IOException {
        byte[] data = Bytes.data(8192);
        peer = RecordingServer.sending(data);
        listener.proxyTo(peer.address());

        assertLateKibibyteThenReset(listener, data);
        assertThat(journal.connection(1).orElseThrow().fired(Effect.Reset.class)).isTrue();
        assertThat(journal.connection(1).orElseThrow().fired(Effect.Latency.class)).isTrue();
    }

    @Test
    @SlowLinkThatDropsAfterOneKibibyte
    void aComposedAnnotationCarriesBothFaults(FaultListener listener) throws IOException {
        byte[] data = Bytes.data(8192);
        peer = RecordingServer.sending(data);
        listener.proxyTo(peer.address());

        assertLateKibibyteThenReset(listener, data);
        assertThat(listener.faults()).hasSize(2);
    }

    @Test
    @Bandwidth(bytesPerSecond = 64 * 1024, direction = Direction.TO_CLIENT)
    @Close(afterBytesToClient = 32 * 1024)
    void aBandwidthLimitPlusACloseDeliverExactlyThoseBytesSlowlyThenEndOfStream(FaultListener listener) throws IOException {
        byte[] data = Bytes.data(100_000);
        peer = RecordingServer.sending(data);
        listener.proxyTo(peer.address());
        try (Socket socket = Sockets.connect(listener.address())) {
            long start = System.nanoTime();
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.failure()).isNull();
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 32 * 1024));
            assertThat(Clients.since(start).toMillis()).isBetween(400L, Sockets.PATIENCE.toMillis());
        }
    }
}
