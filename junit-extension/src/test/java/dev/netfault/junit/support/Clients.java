package dev.netfault.junit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Plain blocking clients, with timeouts generous enough for a noisy machine, so a broken test fails instead of hanging. */
public final class Clients {

    /** The read timeout of {@link #connect}: long, because it only guards against hangs. */
    public static final Duration PATIENT = Duration.ofSeconds(5);

    private Clients() {
    }

    /**
     * {@return a socket connected to {@code address}, with a read timeout of {@link #PATIENT}}
     *
     * <p>The connect is untimed on purpose. A timed connect is a non-blocking connect plus a poll, and
     * when the listener accepts and resets before that poll, the connect itself fails with
     * {@code SocketException: Connection reset by peer}. A blocking connect on loopback completes
     * the handshake within the call and returns before the listener's reset is processed. A connect that should fail
     * is written out with its own timeout in the test; the hang guard ends any other that hangs.
     */
    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address);
            socket.setSoTimeout((int) PATIENT.toMillis());
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
    }

    /** {@return every byte the socket reads until the end of the stream or a failure} */
    public static Received readUntilEnd(Socket socket) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
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

    /** {@return exactly {@code n} bytes read from the socket} */
    public static byte[] readExactly(Socket socket, int n) throws IOException {
        return socket.getInputStream().readNBytes(n);
    }

    /**
     * Asserts that connecting {@code client} to {@code address} with a 500 ms timeout fails with the
     * JDK's connect timeout, at that timeout: neither at once nor much later.
     */
    public static void assertConnectTimesOut(Socket client, InetSocketAddress address) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.connect(address, 500))
                .isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        // measured here, the JDK's 500 ms were seen to end up to 0.5 ms early (its poll(2) returns
        // marginally before the deadline under load), hence the lower bound of 490 ms
        assertThat(since(start)).isBetween(Duration.ofMillis(490), Duration.ofSeconds(5));
    }

    /** {@return the time since {@code startNanos}, from {@link System#nanoTime()}} */
    public static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
