package dev.netfault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plain client's view of a loopback connection: connect, read everything, and say how reading
 * ended. Its timeouts are long, because they only guard against hangs on a noisy machine: a broken
 * test fails instead of hanging.
 */
public final class Sockets {

    /** The read timeout of {@link #connect}: long, because it only guards against hangs. */
    public static final Duration PATIENCE = Duration.ofSeconds(5);

    private Sockets() {
    }

    /**
     * {@return a socket connected to {@code address}, with a read timeout of {@link #PATIENCE}}
     *
     * <p>The connect is untimed on purpose. A timed connect is a non-blocking connect plus a poll, and
     * when the listener accepts and resets before that poll, the connect itself fails with
     * {@code SocketException: Connection reset by peer}. A blocking connect on loopback completes
     * the handshake within the call and returns before the listener's reset is processed. A connect
     * that should fail is written out with its own timeout in the test.
     */
    public static Socket connect(InetSocketAddress address) throws IOException {
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
    public record Received(byte[] bytes, IOException failure) {

        /** {@return {@code "EOF"} or {@code "SimpleClassName: message"} of the failure} */
        public String end() {
            return failure == null ? "EOF" : describe(failure);
        }
    }

    /** {@return everything the socket reads until the end of the stream or a failure} */
    public static Received readUntilEnd(Socket socket) {
        try {
            return readUntilEnd(socket.getInputStream());
        } catch (IOException e) {
            return new Received(new byte[0], e);
        }
    }

    /** {@return everything {@code in} reads until the end of the stream or a failure} */
    public static Received readUntilEnd(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                bytes.write(buffer, 0, n);
            }
            return new Received(bytes.toByteArray(), null);
        } catch (IOException e) {
            return new Received(bytes.toByteArray(), e);
        }
    }

    /** {@return everything a blocking {@code channel} reads until the end of the stream or a failure} */
    public static Received readUntilEnd(SocketChannel channel) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                bytes.write(buffer.array(), 0, buffer.position());
            }
            return new Received(bytes.toByteArray(), null);
        } catch (IOException e) {
            return new Received(bytes.toByteArray(), e);
        }
    }

    /**
     * Writes {@code text} over a connected non-blocking channel and reads as many bytes back (an
     * echo), as a selector-driven client does: it waits on the selector of {@code key} for each step.
     *
     * @return what came back, shorter than {@code text} if the stream ended first
     * @throws SocketTimeoutException {@code "echo timed out"} at {@code deadlineNanos}
     */
    public static String echoThroughSelector(SelectionKey key, String text, long deadlineNanos) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        ByteBuffer in = ByteBuffer.allocate(out.capacity());
        key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
        while (in.hasRemaining()) {
            select(key.selector(), deadlineNanos, "echo");
            if (out.hasRemaining()) {
                channel.write(out);
            } else {
                key.interestOps(SelectionKey.OP_READ);
            }
            if (channel.read(in) < 0) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
    }

    /**
     * Waits on {@code selector} until a key is ready or {@code deadlineNanos} (from
     * {@link System#nanoTime()}) passes, then clears its selected keys.
     *
     * @throws SocketTimeoutException {@code "<what> timed out"} if the deadline passed before the call
     */
    public static void select(Selector selector, long deadlineNanos, String what) throws IOException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " timed out");
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999))); // rounded up: never wakes early
        selector.selectedKeys().clear();
    }

    /** {@return {@code "SimpleClassName: message"}, the form the assertions use} */
    public static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** {@return milliseconds since {@code startNanos}, from {@link System#nanoTime()}} */
    public static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
