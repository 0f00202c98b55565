package dev.netfault;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Random;

/**
 * Small client-side helpers of core's tests that know netfault (journals) or only core needs: real
 * HTTP clients, non-blocking channels, bounded waits, no sleeps. The plain ones are in
 * {@link dev.netfault.testsupport.Sockets}.
 */
final class Clients {

    /** {@code PATIENCE}, the longest any client waits, in milliseconds. */
    static final int PATIENCE_MILLIS = (int) PATIENCE.toMillis();

    private Clients() {
    }

    /**
     * Waits (at most {@code PATIENCE}) until a non-blocking channel is readable, then reads once.
     *
     * @return what {@code read} returned
     * @throws AssertionError if the channel did not become readable in time
     */
    static int readWhenReady(SocketChannel channel, ByteBuffer buffer) throws IOException {
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            if (selector.select(PATIENCE_MILLIS) == 0) {
                throw new AssertionError("the channel did not become readable within " + PATIENCE.toMillis() + " ms");
            }
            return channel.read(buffer);
        }
    }

    /** {@return a non-blocking channel connected to {@code address}, connect finished through a selector} */
    static SocketChannel connectNonBlocking(InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try (Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            if (!channel.connect(address)) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                if (selector.select(PATIENCE_MILLIS) == 0) {
                    throw new AssertionError("the connect did not complete within " + PATIENCE.toMillis() + " ms");
                }
                channel.finishConnect();
            }
            return channel;
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** {@return a loopback port nothing listens on (it was free a moment ago)} */
    static InetSocketAddress unusedAddress() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
    }

    /** Waits until the listener has finished with connection {@code id}: its RST or FIN has been sent. */
    static ConnectionRecord awaitFinished(Journal journal, long id) {
        return await().atMost(PATIENCE)
                .until(() -> journal.connection(id).orElse(null), c -> c != null && c.closed().isPresent());
    }

    /** Waits until the listener has accepted {@code count} connections. */
    static void awaitAccepted(Journal journal, int count) {
        await().atMost(PATIENCE).until(journal::accepted, n -> n >= count);
    }

    /** {@return the live threads whose name starts with {@code prefix}} */
    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .toList();
    }

    static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    // HTTP clients

    static HttpURLConnection httpUrlConnection(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(PATIENCE_MILLIS);
        connection.setReadTimeout(PATIENCE_MILLIS);
        connection.setUseCaches(false);
        return connection;
    }

    static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(PATIENCE).build();
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(PATIENCE).build();
    }

    static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asserts one of the outcomes of {@code HttpClient} on a reset. The JDK races its request write
     * against its response read, so it throws either {@code ConnectException: Connection reset by
     * peer} (the reset met the connect), or {@code IOException: HTTP/1.1 header parser received no
     * bytes} caused by {@code Connection reset}, by {@code Connection reset by peer} (the write met
     * it), or, rarely, by {@code EOFException: EOF reached while reading} (the write consumed the
     * reset, after which Linux reports end of stream to the read).
     */
    static void assertHttpClientSawAReset(Throwable thrown) {
        assertThat(thrown).satisfiesAnyOf(
                t -> assertThat(t).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection reset by peer"),
                t -> assertThat(t).isExactlyInstanceOf(IOException.class)
                        .hasMessage("HTTP/1.1 header parser received no bytes")
                        .satisfies(e -> assertThat(rootCause(e)).satisfiesAnyOf(
                                cause -> assertThat(cause).isInstanceOf(IOException.class)
                                        .extracting(Throwable::getMessage).isIn("Connection reset", "Connection reset by peer"),
                                cause -> assertThat(cause).isExactlyInstanceOf(EOFException.class).hasMessage("EOF reached while reading"))));
    }

    /**
     * Asserts one of the outcomes of {@code HttpURLConnection} on a reset, after its retry on a new
     * connection: a read that met it ({@code SocketException: Connection reset}), a write that met
     * it ({@code Connection reset by peer}, or {@code IOException: Error writing to server} when its
     * buffered stream swallowed that), or a read after the write consumed it ({@code Unexpected end
     * of file from server}).
     */
    static void assertHttpUrlConnectionSawAReset(Throwable thrown) {
        assertThat(thrown).satisfiesAnyOf(
                t -> assertThat(t).isExactlyInstanceOf(SocketException.class).extracting(Throwable::getMessage)
                        .isIn("Connection reset", "Connection reset by peer", "Unexpected end of file from server"),
                t -> assertThat(t).isExactlyInstanceOf(IOException.class).hasMessage("Error writing to server"));
    }
}
