package dev.netfault.catalogue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A plain blocking client's view of a connection, with timeouts that only guard against hangs. */
final class Io {

    /** The read timeout of {@link #connect}: long, because it only guards against hangs. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private Io() {
    }

    /** {@return a socket connected to {@code address} (an untimed loopback connect), with a read timeout of {@link #PATIENCE}} */
    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * What a client read until its stream ended or failed.
     *
     * @param bytes everything read
     * @param failure the exception that ended reading, or {@code null} at end of stream
     */
    record Received(byte[] bytes, IOException failure) {

        /** {@return {@code "EOF"} or {@code "SimpleClassName: message"}} */
        String end() {
            return failure == null ? "EOF" : describe(failure);
        }
    }

    /**
     * One read that returned data.
     *
     * @param startNanos when the read call began, from {@link System#nanoTime()}
     * @param endNanos when it returned
     * @param bytes how many bytes it returned
     */
    record Read(long startNanos, long endNanos, int bytes) {
    }

    /** {@return the reads that take exactly {@code length} bytes from the socket into {@code into}} */
    static List<Read> readFully(Socket socket, byte[] into) throws IOException {
        List<Read> reads = new ArrayList<>();
        InputStream in = socket.getInputStream();
        for (int at = 0; at < into.length;) {
            long start = System.nanoTime();
            int n = in.read(into, at, into.length - at);
            if (n < 0) {
                throw new java.io.EOFException("end of stream after " + at + " of " + into.length + " bytes");
            }
            reads.add(new Read(start, System.nanoTime(), n));
            at += n;
        }
        return reads;
    }

    /**
     * Asserts that {@code reads} saw a stream cut into slices of at most {@code slice} bytes, written
     * at least {@code interval} apart. A reader that keeps up sees one slice per read; one that was
     * late (a busy machine) finds several waiting, but never more than one, plus one per interval
     * that passed since its previous read began ({@code firstStartNanos} for the first read).
     */
    static void assertSliced(List<Read> reads, int slice, Duration interval, long firstStartNanos) {
        long previousStart = firstStartNanos;
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            long intervals = (read.endNanos() - previousStart) / interval.toNanos();
            org.assertj.core.api.Assertions.assertThat(read.bytes())
                    .as("read #%d, %d ms after the previous read began", i + 1, (read.endNanos() - previousStart) / 1_000_000)
                    .isBetween(1, (int) (slice * (1 + intervals)));
            previousStart = read.startNanos();
        }
    }

    /** {@return everything the socket reads until the end of the stream or a failure} */
    static Received readUntilEnd(Socket socket) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.write(buffer, 0, n);
            }
            return new Received(bytes.toByteArray(), null);
        } catch (IOException e) {
            return new Received(bytes.toByteArray(), e);
        }
    }

    /** {@return {@code "SimpleClassName: message"}, the form the assertions use} */
    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** {@return {@code length} bytes from a fixed seed: a shifted, dropped or reordered byte shows} */
    static byte[] data(int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(length).nextBytes(bytes);
        return bytes;
    }

    /** {@return milliseconds since {@code startNanos}} */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
