package dev.netfault.junit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Plain blocking clients for the extension's tests, with timeouts generous enough for a noisy
 * machine, so a broken test fails instead of hanging; the hang guard ends any other that hangs.
 * Connecting and reading everything are in {@link Sockets}.
 */
public final class Clients {

    private Clients() {
    }

    /** {@return a socket connected to {@code address}}, as {@link Sockets#connect} (an untimed connect, a patient read timeout) */
    public static Socket connect(InetSocketAddress address) throws IOException {
        return Sockets.connect(address);
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
