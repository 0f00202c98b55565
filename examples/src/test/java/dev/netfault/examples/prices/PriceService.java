package dev.netfault.examples.prices;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The real price service the clients talk to: the JDK's HTTP server, in-process, on a loopback
 * ephemeral port. {@code GET /prices/ABC-1} answers {@code 1999}.
 */
final class PriceService implements AutoCloseable {

    static final String SKU = "ABC-1";
    static final long CENTS = 1999;

    private static final Map<String, Long> PRICES = Map.of(SKU, CENTS);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    private PriceService(HttpServer server) {
        this.server = server;
    }

    static PriceService start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            PriceService service = new PriceService(server);
            server.createContext("/prices/", service::answer);
            server.setExecutor(service.executor); // one thread per request: a stalled exchange blocks no other
            server.start();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String sku = exchange.getRequestURI().getPath().substring("/prices/".length());
            Long cents = PRICES.get(sku);
            byte[] body = (cents == null ? "no such product" : cents.toString()).getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(cents == null ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
