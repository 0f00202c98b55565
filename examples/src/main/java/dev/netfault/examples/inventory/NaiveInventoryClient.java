package dev.netfault.examples.inventory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The same client as {@link InventoryClient}, the way it is often first written: no connect
 * timeout, no request timeout, no retry. It works on every developer's machine, and hangs the
 * first time the service's accept queue fills up or the service stops answering.
 * Kept here to show how netfault catches it. Do not copy it.
 */
public final class NaiveInventoryClient {

    private final URI baseUri;
    private final HttpClient http = HttpClient.newHttpClient(); // no connectTimeout: waits for the kernel

    public NaiveInventoryClient(URI baseUri) {
        this.baseUri = baseUri;
    }

    public int available(String sku) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("stock/" + URLEncoder.encode(sku, StandardCharsets.UTF_8)))
                .GET() // no timeout(): waits for an answer forever
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("inventory service answered HTTP " + response.statusCode());
        }
        return StockReport.totalUnits(response.body());
    }
}
