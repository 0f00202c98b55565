package dev.netfault.examples.prices;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A {@link PriceClient} on OkHttp, with its connect and read timeouts (OkHttp's defaults are 10 s
 * each). OkHttp retries a failed connect on another route and a request on a stale pooled connection
 * by itself ({@code retryOnConnectionFailure}, on by default).
 */
public final class OkHttpPriceClient implements PriceClient {

    private final URI service;
    private final OkHttpClient http;

    public OkHttpPriceClient(URI service, Duration connectTimeout, Duration readTimeout) {
        this(service, new OkHttpClient.Builder().connectTimeout(connectTimeout).readTimeout(readTimeout).build());
    }

    private OkHttpPriceClient(URI service, OkHttpClient http) {
        this.service = service;
        this.http = http;
    }

    /**
     * {@return a client that sends each request once: OkHttp's own retry on a stale pooled connection is
     * off, so a request lost with its connection fails the call (for a {@link RetryingPriceClient} to
     * retry by its own policy)}
     */
    public static OkHttpPriceClient withoutRetries(URI service, Duration connectTimeout, Duration readTimeout) {
        return new OkHttpPriceClient(service, new OkHttpClient.Builder().connectTimeout(connectTimeout).readTimeout(readTimeout)
                .retryOnConnectionFailure(false).build());
    }

    @Override
    public long centsFor(String sku) throws IOException {
        Request request = new Request.Builder().url(Prices.uriFor(service, sku).toString()).build();
        try (Response response = http.newCall(request).execute()) {
            return Prices.parse(service, sku, response.code(), response.body().string());
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
