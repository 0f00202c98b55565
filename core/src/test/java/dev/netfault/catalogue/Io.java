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
     * @param readSizes the size of each read that returned data
     * @param failure the exception that ended reading, or {@code null} at end of stream
     * @param endNanos when reading ended, from {@link System#nanoTime()}
     */
    record Received(byte[] bytes, List<Integer> readSizes, IOException failure, long endNanos) {

        /** {@return {@code "EOF"} or {@code "SimpleClassName: message"}} */
        String end() {
            return failure == null ? "EOF" : describe(failure);
        }
    }

    /** {@return everything the socket reads until the end of the stream or a failure} */
    static Received readUntilEnd(Socket socket) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.write(buffer, 0, n);
                sizes.add(n);
            }
            return new Received(bytes.toByteArray(), sizes, null, System.nanoTime());
        } catch (IOException e) {
            return new Received(bytes.toByteArray(), sizes, e, System.nanoTime());
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
