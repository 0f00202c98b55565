package dev.netfault.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on a loopback ephemeral port; it answers every request with {@link #BODY}. */
final class HttpTarget implements AutoCloseable {

    static final String BODY = "hello from the real server\n".repeat(40);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-target");
        t.setDaemon(true);
        return t;
    });
    private final List<Integer> requestsFrom = new CopyOnWriteArrayList<>();

    private HttpTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requestsFrom.add(exchange.getRemoteAddress().getPort());
            exchange.getRequestBody().readAllBytes();
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    static HttpTarget start() {
        try {
            return new HttpTarget();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@return the remote ports of the requests served so far} */
    List<Integer> requestsFrom() {
        return List.copyOf(requestsFrom);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
