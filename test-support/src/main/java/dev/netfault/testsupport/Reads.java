package dev.netfault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads with their timing, and what a stream cut into slices looks like to a reader. */
public final class Reads {

    private Reads() {
    }

    /**
     * One read that returned data.
     *
     * @param startNanos when the read call began, from {@link System#nanoTime()}
     * @param endNanos when it returned
     * @param bytes how many bytes it returned
     */
    public record Read(long startNanos, long endNanos, int bytes) {
    }

    /**
     * {@return the reads that take exactly {@code into.length} bytes from the socket into {@code into}}
     *
     * @throws EOFException if the stream ends first
     */
    public static List<Read> readFully(Socket socket, byte[] into) throws IOException {
        List<Read> reads = new ArrayList<>();
        InputStream in = socket.getInputStream();
        for (int at = 0; at < into.length;) {
            long start = System.nanoTime();
            int n = in.read(into, at, into.length - at);
            if (n < 0) {
                throw new EOFException("end of stream after " + at + " of " + into.length + " bytes");
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
    public static void assertSliced(List<Read> reads, int slice, Duration interval, long firstStartNanos) {
        long previousStart = firstStartNanos;
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            long intervals = (read.endNanos() - previousStart) / interval.toNanos();
            assertThat(read.bytes()).as("read #%d, %d ms after the previous read began", i + 1, (read.endNanos() - previousStart) / 1_000_000)
                    .isBetween(1, (int) (slice * (1 + intervals)));
            previousStart = read.startNanos();
        }
    }
}
