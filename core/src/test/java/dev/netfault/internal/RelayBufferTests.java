package dev.netfault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.LoopbackServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Relay: busy connections read into large buffers")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayBufferTests {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /**
     * Bytes a test moves through one connection: about twice what the kernel buffers between the
     * relay and a sink that does not read take in (4.3 MB on Linux with the default 4 MiB tcp_wmem).
     */
    private static final int TRANSFER = 8 * 1024 * 1024;

    private final List<AutoCloseable> owned = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }

    @Nested
    @DisplayName("many busy connections whose upstream does not read")
    class ManyBusyConnections {

        private final int connections = ListenerEngine.largeBufferLimit(4) + 8;
        private final List<CompletableFuture<Void>> writers = new ArrayList<>();
        private GatedSink sink;
        private ListenerEngine listener;

        @BeforeEach
        void stallThem() throws Exception {
            sink = own(new GatedSink());
            // Four loops, whatever the machine: they share the listener's one limit of large buffers.
            listener = own(LoopsProperty.startWith("4", () -> FaultListener.inFrontOf(sink.address()).start()));
            for (int c = 0; c < connections; c++) {
                writers.add(writeThenClose(listener.address(), c, TRANSFER));
            }
            // Once the kernel buffers towards the sink are full, each connection holds what it read
            // last: in a large buffer while its loop has one to lend, in a small one after that. The
            // listener's loops share one limit, however many of them serve the connections, and a
            // large buffer stays with the loop that made it: how many are lent at the end depends on
            // which loops' connections read last, so the test waits for the limit to be used up.
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(listener.largeBuffersMade()).isEqualTo(listener.largeBufferLimit());
                assertThat(listener.largeAllowanceLeft()).isZero();
                assertThat(listener.largeBuffersLent()).isPositive();
            });
            assertThat(listener.loops()).hasSize(4);
        }

        @Test
        void holdNoMoreLargeBuffersThanTheListenersLimitAndStillDeliverAllTheirBytesInOrder() throws Exception {
            sink.open();
            for (CompletableFuture<Void> writer : writers) {
                writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(PATIENCE).until(() -> sink.finished().size() == connections);
            assertThat(sink.finished()).allSatisfy(received -> {
                assertThat(received.failure()).isNull();
                assertThat(received.bytes()).isEqualTo(TRANSFER);
            });
            awaitAllClosed();
            assertThat(listener.largeBuffersLent()).isZero();

            // With every connection gone, the extra loops end and give their buffers back for the loops to come.
            // (A loop leaves the list before it ends, so its buffers may come back just after.)
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(listener.loops()).hasSize(1);
                assertThat(listener.largeBuffersMade() + listener.largeAllowanceLeft()).isEqualTo(listener.largeBufferLimit());
            });
        }

        @Test
        void giveBackTheLargeBuffersTheyHeldWhenTheUpstreamResetsThem() throws Exception {
            sink.resetAll();
            awaitAllClosed();
            assertThat(listener.journal().connections()).extracting(ConnectionRecord::listenerClosure).containsOnly(Closure.RST);
            assertThat(listener.largeBuffersLent()).isZero();
        }

        private void awaitAllClosed() {
            await().atMost(PATIENCE).until(() -> listener.journal().connections().size() == connections
                    && listener.journal().connections().stream().allMatch(record -> record.closed().isPresent()));
        }
    }

    @Nested
    @DisplayName("byte-offset faults, with reads of up to 2 MiB and several reads in one turn")
    class ByteOffsetFaults {

        @ParameterizedTest(name = "after {0} bytes")
        @ValueSource(longs = {65_535, 65_536, 65_537, 2_097_151, 2_097_152, 2_097_153, 3 * 2_097_152 + 12_345, 6_000_001})
        void fromTheClientTheUpstreamReceivesExactlyNBytesInOrder(long offset) throws Exception {
            GatedSink sink = own(new GatedSink());
            sink.open();
            ListenerEngine listener = listenerInFrontOf(sink.address(), Fault.reset().afterBytes(Direction.FROM_CLIENT, offset));
            CompletableFuture<Void> writer = writeThenClose(listener.address(), 7, TRANSFER);

            await().atMost(PATIENCE).until(() -> sink.finished().size() == 1);
            assertThat(sink.finished().get(0)).isEqualTo(new Received(7, offset, null));
            assertThat(listener.journal().connection(1).orElseThrow().bytesFromClient()).isEqualTo(offset);
            assertThat(writer).failsWithin(PATIENCE).withThrowableThat().havingRootCause().isInstanceOf(SocketException.class);
            assertAllLargeBuffersGivenBack(listener);
        }

        @ParameterizedTest(name = "after {0} bytes")
        @ValueSource(longs = {65_535, 65_536, 65_537, 2_097_151, 2_097_152, 2_097_153, 3 * 2_097_152 + 12_345, 6_000_001})
        void towardsTheClientItReadsExactlyNBytesInOrderThenEndOfStream(long offset) throws Exception {
            PatternSource source = own(new PatternSource(9, TRANSFER));
            ListenerEngine listener = listenerInFrontOf(source.address(), Fault.close().afterBytes(Direction.TO_CLIENT, offset));
            try (Socket socket = new Socket()) {
                socket.connect(listener.address());
                socket.setSoTimeout((int) PATIENCE.toMillis());
                assertThat(readAndCheck(socket, 9)).isEqualTo(new Received(9, offset, null));
            }
            assertThat(listener.journal().connection(1).orElseThrow().bytesToClient()).isEqualTo(offset);
            assertAllLargeBuffersGivenBack(listener);
        }

        private void assertAllLargeBuffersGivenBack(ListenerEngine listener) {
            await().atMost(PATIENCE).until(() -> listener.largeBuffersLent() == 0);
        }
    }

    @Nested
    @DisplayName("a busy connection and a quiet one on the same loop")
    class OneLoop {

        @Test
        void theQuietOneIsAnsweredWhileTheBusyOneStreams() throws Exception {
            LoopbackServer upstream = own(LoopbackServer.start("discard-or-echo", socket -> () -> discardOrEcho(socket)));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
            ListenerEngine listener = own(LoopsProperty.startWith("1", () -> FaultListener.inFrontOf(address).start()));
            AtomicBoolean streaming = new AtomicBoolean(true);
            AtomicLong streamed = new AtomicLong();
            Socket busy = own(new Socket());
            busy.connect(listener.address());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = busy.getOutputStream();
                    out.write(DISCARD);
                    byte[] chunk = new byte[1024 * 1024];
                    while (streaming.get()) {
                        out.write(chunk);
                        streamed.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, command -> daemon("busy-writer", command).start());
            // The busy connection reads into large buffers, several reads a turn: well past the kernel's buffers.
            await().atMost(PATIENCE).until(() -> streamed.get() > 64L * 1024 * 1024 && listener.largeBuffersMade() > 0);

            long before = streamed.get();
            try (Socket quiet = new Socket()) {
                quiet.connect(listener.address());
                quiet.setSoTimeout((int) PATIENCE.toMillis());
                OutputStream out = quiet.getOutputStream();
                InputStream in = quiet.getInputStream();
                out.write(ECHO);
                for (int i = 0; i < 50; i++) {
                    out.write(i);
                    assertThat(in.read()).as("answer %d", i).isEqualTo(i);
                }
            }
            // 50 answers can take less time than the scheduler gives the writer on a loaded 2-CPU machine, so the
            // busy connection is not required to advance inside that window: it must still be streaming after it.
            assertThat(writer).as("the busy connection still streams after the quiet one was answered").isNotDone();
            await().atMost(PATIENCE).until(() -> streamed.get() > before + 16L * 1024 * 1024);
            streaming.set(false);
            writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            assertThat(listener.loops()).as("both on the one loop").hasSize(1);
            assertThat(listener.journal().connections()).hasSize(2);
        }

        private static final int DISCARD = 'D';
        private static final int ECHO = 'E';

        /** The first byte says what the upstream does with the rest: discard it, or echo it byte by byte. */
        private static void discardOrEcho(Socket socket) {
            try (InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                int mode = in.read();
                byte[] buffer = new byte[256 * 1024];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (mode == ECHO) {
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    private ListenerEngine listenerInFrontOf(InetSocketAddress upstream, Fault... faults) {
        return own((ListenerEngine) FaultListener.inFrontOf(upstream).fault(faults).start());
    }

    /** What the test peers write at once: no multiple of the relay's buffer sizes. */
    private static final int CHUNK = 256 * 1024 + 7;

    /**
     * The byte at {@code offset} of connection {@code c}: a stretch shifted by a whole small or large
     * buffer (64 KiB, 2 MiB) differs from the one that belongs there.
     */
    static byte pattern(int c, long offset) {
        return (byte) (offset * 31 + (offset >>> 13) + (offset >>> 19) + c);
    }

    /** Writes {@code size} bytes of pattern {@code c}, in chunks. */
    private static void writePattern(OutputStream out, int c, long size) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (long offset = 0; offset < size; offset += CHUNK) {
            int n = (int) Math.min(CHUNK, size - offset);
            fill(chunk, n, c, offset);
            out.write(chunk, 0, n);
        }
    }

    /** Writes {@code size} pattern bytes on a new connection, sends a FIN and waits for the peer's end. */
    private CompletableFuture<Void> writeThenClose(InetSocketAddress address, int c, int size) throws IOException {
        Socket socket = own(new Socket());
        socket.connect(address);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        return CompletableFuture.runAsync(() -> {
            try {
                writePattern(socket.getOutputStream(), c, size);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // nothing comes back; wait for the end
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, command -> daemon("writer-" + c, command).start());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** What was read on one connection: how many bytes, and why reading ended early, if it did. */
    record Received(int connection, long bytes, String failure) {
    }

    /**
     * Reads {@code socket} to its end, checking every byte against {@link #pattern}; connection
     * {@code c}, or if {@code c} is negative, the one the first byte names.
     */
    static Received readAndCheck(Socket socket, int c) {
        long offset = 0;
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[100_000];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++, offset++) {
                    if (c < 0) {
                        c = Byte.toUnsignedInt(buffer[i]); // pattern(c, 0) == c
                    } else if (buffer[i] != pattern(c, offset)) {
                        return new Received(c, offset, "byte " + offset + " differs");
                    }
                }
            }
            return new Received(c, offset, null);
        } catch (IOException e) {
            return new Received(c, offset, String.valueOf(e));
        }
    }

    /** Fills {@code chunk} with the pattern bytes of connection {@code c} from {@code offset} on. */
    static void fill(byte[] chunk, int n, int c, long offset) {
        for (int i = 0; i < n; i++) {
            chunk[i] = pattern(c, offset + i);
        }
    }

    /** An upstream that sends {@code size} pattern bytes to each connection, then closes it. */
    static final class PatternSource implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        PatternSource(int c, int size) throws IOException {
            daemon("pattern-source", () -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        daemon("pattern-source-write", () -> {
                            try (socket) {
                                writePattern(socket.getOutputStream(), c, size);
                            } catch (IOException closedByTheRelay) {
                                // a fault ended the connection: what the client read is checked
                            }
                        }).start();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }).start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    /**
     * An upstream that accepts at once but reads nothing until {@link #open()}; then it reads each
     * connection to its end, checks every byte against {@link #pattern} and closes it. The first
     * byte a connection sends names it.
     */
    static final class GatedSink implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final CountDownLatch gate = new CountDownLatch(1);
        private final List<Received> finished = new CopyOnWriteArrayList<>();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        GatedSink() throws IOException {
            server.setReceiveBufferSize(64 * 1024); // keeps the sink's share of the kernel buffers small
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            daemon("gated-sink-accept", this::acceptAll).start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        void open() {
            gate.countDown();
        }

        /** Resets every connection accepted so far (SO_LINGER 0), without reading any of them. */
        void resetAll() throws IOException {
            for (Socket socket : accepted) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        }

        List<Received> finished() {
            return finished;
        }

        private void acceptAll() {
            try {
                while (true) {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    daemon("gated-sink-read", () -> read(socket)).start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void read(Socket socket) {
            try (socket) {
                gate.await();
                finished.add(readAndCheck(socket, -1));
            } catch (IOException e) {
                finished.add(new Received(-1, 0, String.valueOf(e)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }
}

