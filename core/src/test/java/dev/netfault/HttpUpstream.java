package dev.netfault;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A real HTTP/1.1 upstream (the JDK's own server) that answers every request {@code 200 hello}. */
final class HttpUpstream implements AutoCloseable {

    static final String BODY = "hello";

    private final HttpServer server;

    private HttpUpstream(HttpServer server) {
        this.server = server;
    }

    static HttpUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/", exchange -> {
                byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return new HttpUpstream(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
