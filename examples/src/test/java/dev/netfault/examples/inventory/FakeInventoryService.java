package dev.netfault.examples.inventory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP server playing the inventory service, on 127.0.0.1 and a free port: netfault sits in
 * front of it. Product ABC-1 has {@value #ABC_1_UNITS} units over twelve warehouses.
 */
final class FakeInventoryService implements AutoCloseable {

    static final int ABC_1_UNITS = 42;

    // 12 lines, about 200 bytes: long enough to cut in the middle.
    private static final String ABC_1_STOCK = String.join("\n",
            "amsterdam-1 3", "barcelona-1 5", "berlin-1 2", "berlin-2 4", "dublin-1 1", "lisbon-1 6",
            "madrid-1 3", "milan-1 2", "paris-1 7", "paris-2 3", "vienna-1 4", "warsaw-1 2") + "\n";

    private final HttpServer server;

    private FakeInventoryService(HttpServer server) {
        this.server = server;
    }

    static FakeInventoryService start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/stock/", FakeInventoryService::stock);
            server.start();
            return new FakeInventoryService(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private static void stock(HttpExchange exchange) throws IOException {
        try (exchange) {
            boolean known = exchange.getRequestURI().getPath().equals("/stock/ABC-1");
            byte[] body = (known ? ABC_1_STOCK : "").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(known ? 200 : 404, known ? body.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
