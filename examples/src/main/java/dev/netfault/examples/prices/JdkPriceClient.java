package dev.netfault.examples.prices;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A {@link PriceClient} on the JDK's {@code java.net.http.HttpClient}, with its two timeouts: the
 * connect timeout (a server whose accept queue is full drops the SYNs; without it the JDK waits for
 * the kernel's SYN retries, about two minutes) and the request timeout (a server that accepts and never
 * answers).
 *
 * <p>No retry of its own: {@code HttpClient} already sends an idempotent request a second time, on a
 * new connection, when the first is reset before the answer.
 */
public final class JdkPriceClient implements PriceClient {

    private final URI service;
    private final HttpClient http;
    private final Duration requestTimeout;

    public JdkPriceClient(URI service, Duration connectTimeout, Duration requestTimeout) {
        this.service = service;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    @Override
    public long centsFor(String sku) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(Prices.uriFor(service, sku)).timeout(requestTimeout).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return Prices.parse(service, sku, response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking " + service + " for " + sku);
        }
    }

    /** Nothing to release on JDK 17: {@code HttpClient}'s thread ends once the client is unreachable. */
    @Override
    public void close() {
    }
}
