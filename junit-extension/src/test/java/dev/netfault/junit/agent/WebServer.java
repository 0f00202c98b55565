package dev.netfault.junit.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on a loopback ephemeral port; it answers every request with {@link #BODY}. */
final class WebServer implements AutoCloseable {

    static final String BODY = "a response from the real server\n".repeat(64);

    private final com.sun.net.httpserver.HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    private WebServer() throws IOException {
        server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            exchange.getRequestBody().readAllBytes();
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    static WebServer start() {
        try {
            return new WebServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@return {@code http://localhost:<port>/}, the URL as an application configured with a host name has it} */
    String url() {
        return "http://localhost:" + port() + "/";
    }

    /** {@return how many requests the server answered} */
    int requests() {
        return requests.get();
    }

    /** {@return how many connections requests came on (by client port)} */
    int connections() {
        return clientPorts.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
