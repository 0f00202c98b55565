package dev.netfault.junit.agent;

import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The application's clients, each written as an application would write it: configured with a host
 * name and a port, no socket factory, nothing netfault-specific.
 */
final class Clients {

    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    private Clients() {
    }

    /** Connects a Socket with the client's connect timeout, writes {@code text} and reads as many bytes back. */
    static String socketEcho(String host, int port, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout(5000);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(bytes);
            return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
        }
    }

    /** Connects a blocking SocketChannel, writes {@code text} and reads as many bytes back. */
    static String channelEcho(String host, int port, String text) throws IOException {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(out.capacity());
            while (in.hasRemaining() && channel.read(in) >= 0) {
                // read until echoed or closed
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Connects a non-blocking SocketChannel through a selector ({@code OP_CONNECT}, {@code finishConnect}),
     * writes {@code text} and reads as many bytes back, giving up after {@code timeout} with a
     * {@code java.net.SocketTimeoutException} as a selector-driven client would.
     */
    static String selectorEcho(String host, int port, String text, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(); Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
            if (!channel.connect(new InetSocketAddress(host, port))) {
                while (!channel.finishConnect()) {
                    Sockets.select(selector, deadline, "connect");
                }
            }
            return Sockets.echoThroughSelector(key, text, deadline);
        }
    }

    /** GETs {@code url} with HttpURLConnection and the client's connect timeout. */
    static String urlConnectionGet(String url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout(5000);
        try {
            return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** GETs {@code url} with java.net.http.HttpClient. */
    static String httpClientGet(HttpClient client, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static OkHttpClient okHttp() {
        return new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).readTimeout(Duration.ofSeconds(5)).build();
    }

    /** GETs {@code url} with OkHttp. */
    static String okHttpGet(OkHttpClient client, String url) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body().string();
        }
    }

    /** Releases OkHttp's pooled connections and threads, as an application shutting down would. */
    static void shutDown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    /** Opens a JDBC connection to {@code url} and sums {@code SYSTEM_RANGE(1, rows)}. */
    static long jdbcSum(String url, int rows) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT X FROM SYSTEM_RANGE(1, " + rows + ")")) {
            long sum = 0;
            while (result.next()) {
                sum += result.getLong(1);
            }
            return sum;
        }
    }
}
