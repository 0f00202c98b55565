package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small client-side helpers shared by the agent's tests. */
final class Io {

    /** The loopback address under the name "localhost", as {@code InetAddress.getByName("localhost")} returns it. */
    static final InetAddress LOCALHOST = named("localhost");
    /** The loopback address as a bare literal: no host name attached, so only the address can match. */
    static final InetAddress LITERAL = named(null);

    private Io() {
    }

    static InetAddress named(String name) {
        try {
            return InetAddress.getByAddress(name, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code text} and reads back as many bytes (an echo). */
    static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    /** Writes {@code text} and reads back as many bytes (an echo), blocking. */
    static String roundTrip(SocketChannel channel, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer in = ByteBuffer.allocate(out.capacity());
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
    }

    /**
     * Connects a non-blocking channel the way a selector-driven client does: {@code connect}, then
     * {@code OP_CONNECT} and {@code finishConnect}. Fails if it takes longer than {@code timeout}.
     */
    static SocketChannel connectNonBlocking(InetSocketAddress address, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            connectNonBlocking(channel, address, timeout);
            return channel;
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    /** Connects {@code channel} non-blocking, through a selector. */
    static void connectNonBlocking(SocketChannel channel, InetSocketAddress address, Duration timeout) throws IOException {
        channel.configureBlocking(false);
        if (channel.connect(address)) {
            return;
        }
        try (Selector selector = Selector.open()) {
            SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!channel.finishConnect()) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("time left to connect to %s", address).isPositive();
                selector.select(Math.max(1, left / 1_000_000));
            }
            key.cancel();
        }
    }

    /**
     * Echoes {@code text} over a connected non-blocking channel, through a selector.
     *
     * @throws java.net.SocketTimeoutException {@code "echo timed out"} after {@code timeout}
     */
    static String roundTripNonBlocking(SocketChannel channel, String text, Duration timeout) throws IOException {
        try (Selector selector = Selector.open()) {
            return Sockets.echoThroughSelector(channel.register(selector, 0), text, System.nanoTime() + timeout.toNanos());
        }
    }

    /** {@return a plain GET over {@code HttpURLConnection}, no caching of the connection} */
    static String getWithUrlConnection(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        connection.setRequestProperty("Connection", "close");
        try {
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    /** {@return a GET over {@code java.net.http.HttpClient}} */
    static String getWithHttpClient(HttpClient client, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    }
}
