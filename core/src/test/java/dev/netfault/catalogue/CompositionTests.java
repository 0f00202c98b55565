package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.Reads;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Sockets.Received;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("effects compose on one listener")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompositionTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void latencyPlusAResetAfterOneKibibyteDeliversExactly1024BytesLateThenConnectionReset() throws IOException {
        byte[] data = Bytes.data(8192);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data),
                Fault.latency(Duration.ofMillis(400), Duration.ZERO),
                Fault.reset().afterBytes(Direction.TO_CLIENT, 1024));
        long start = System.nanoTime();
        try (Socket socket = connect(listener.address())) {
            int first = socket.getInputStream().read();
            long firstByteMillis = Sockets.millisSince(start);
            Received rest = Sockets.readUntilEnd(socket);
            assertThat(firstByteMillis).as("ms until the first byte").isBetween(400L, PATIENCE.toMillis());
            assertThat(rest.end()).isEqualTo("SocketException: Connection reset");
            byte[] received = new byte[1 + rest.bytes().length];
            received[0] = (byte) first;
            System.arraycopy(rest.bytes(), 0, received, 1, rest.bytes().length);
            assertThat(received).isEqualTo(Arrays.copyOf(data, 1024));
        }
        assertThat(listener.journal().connection(1).orElseThrow().fired(Effect.Reset.class)).isTrue();
    }

    @Test
    void latencyPlusAResetAfterNBytesFromTheClientWaitsOutTheLatencyWithoutSpinning() throws Exception {
        RecordingServer upstream = RecordingServer.reading();
        FaultListener listener = owned.inFrontOf(upstream,
                Fault.latency(Duration.ofSeconds(1), Duration.ZERO),
                Fault.reset().afterBytes(Direction.FROM_CLIENT, 100));
        Thread loop = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("netfault-catalogue-proxy-" + listener.port())).findFirst().orElseThrow();
        try (Socket socket = connect(listener.address())) {
            // The first 100 bytes wait out the latency; the rest waits in the socket, readable, behind the reset's offset.
            socket.getOutputStream().write(Bytes.data(10_000));
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long before = threads.getThreadCpuTime(loop.getId());
            // the measurement is CPU time over an interval within the latency: a loop that kept reading nothing would use most of it
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(700));
            long usedMillis = (threads.getThreadCpuTime(loop.getId()) - before) / 1_000_000;

            assertThat(usedMillis).as("the loop's CPU time over 700 ms of the latency, in ms (a spin takes 250 or more)").isLessThan(100);
            assertThat(Sockets.readUntilEnd(socket).end()).isEqualTo("SocketException: Connection reset");
        }
        assertThat(upstream.connection(0).receivedUntilEnd()).as("what the upstream received").isEqualTo(Arrays.copyOf(Bytes.data(10_000), 100));
    }

    @Test
    void aBandwidthLimitPlusACloseAfterNBytesDeliversExactlyThoseSlowlyThenEndOfStream() throws IOException {
        byte[] data = Bytes.data(100_000);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data),
                Fault.bandwidth(64 * 1024).in(Direction.TO_CLIENT),
                Fault.close().afterBytes(Direction.TO_CLIENT, 32 * 1024));
        try (Socket socket = connect(listener.address())) {
            long start = System.nanoTime();
            Received received = Sockets.readUntilEnd(socket);
            assertThat(received.end()).isEqualTo("EOF");
            assertThat(received.bytes()).isEqualTo(Arrays.copyOf(data, 32 * 1024));
            assertThat(Sockets.millisSince(start)).isBetween(400L, PATIENCE.toMillis());
        }
    }

    @Test
    void slicesPlusAStallAfterNBytesDeliverSmallReadsThenTimeOut() throws IOException {
        byte[] data = Bytes.data(10_000);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data),
                Fault.slice(100, Duration.ofMillis(100)).in(Direction.TO_CLIENT),
                Fault.stall().afterBytes(Direction.TO_CLIENT, 450));
        long start = System.nanoTime();
        try (Socket socket = connect(listener.address())) {
            byte[] received = new byte[450];
            List<Reads.Read> reads = Reads.readFully(socket, received);
            assertThat(received).isEqualTo(Arrays.copyOf(data, 450));
            Reads.assertSliced(reads, 100, Duration.ofMillis(100), start);
            socket.setSoTimeout(1000);
            assertThatThrownBy(socket.getInputStream()::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }
}
