package dev.netfault.testsupport;

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

/**
 * A real HTTP/1.1 server (the JDK's own) on a loopback ephemeral port that answers every request
 * {@code 200} with one fixed body. It records the remote port each request came from, so a test
 * tells requests and connections apart, and direct ones from relayed ones.
 */
public final class WebServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "web-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Integer> requestsFrom = new CopyOnWriteArrayList<>();

    private WebServer(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requestsFrom.add(exchange.getRemoteAddress().getPort());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** {@return a started server that answers every request {@code 200 body}, the body in UTF-8} */
    public static WebServer answering(String body) {
        try {
            return new WebServer(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return where it listens: 127.0.0.1 and its port} */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@return {@code http://localhost:<port>/}, the URL as an application configured with a host name has it} */
    public String url() {
        return "http://localhost:" + port() + "/";
    }

    /** {@return the remote ports of the requests answered so far, in order} */
    public List<Integer> requestsFrom() {
        return List.copyOf(requestsFrom);
    }

    /** {@return how many requests it answered} */
    public int requests() {
        return requestsFrom.size();
    }

    /** {@return how many connections requests came on (told apart by the client's port)} */
    public int connections() {
        return (int) requestsFrom.stream().distinct().count();
    }

    /** Stops the server at once, and its threads. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
