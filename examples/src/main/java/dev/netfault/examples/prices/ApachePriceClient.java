package dev.netfault.examples.prices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * A {@link PriceClient} on Apache HttpClient 5 (classic), with a connect timeout and a socket (read)
 * timeout on its pooled connections, and a retry policy: an idempotent request that failed with an
 * I/O error such as a reset or a cut response is sent once more, 100 ms later (Apache's default waits
 * 1 s); a timeout, a refused connect or an unknown host is not retried
 * ({@code DefaultHttpRequestRetryStrategy}).
 */
public final class ApachePriceClient implements PriceClient {

    private final URI service;
    private final CloseableHttpClient http;

    public ApachePriceClient(URI service, Duration connectTimeout, Duration readTimeout) {
        this.service = service;
        ConnectionConfig timeouts = ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                .setSocketTimeout(Timeout.of(readTimeout))
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDefaultConnectionConfig(timeouts).build())
                .setRetryStrategy(new DefaultHttpRequestRetryStrategy(1, TimeValue.ofMilliseconds(100)))
                .build();
    }

    @Override
    public long centsFor(String sku) throws IOException {
        return http.execute(new HttpGet(Prices.uriFor(service, sku)),
                response -> Prices.parse(service, sku, response.getCode(), EntityUtils.toString(response.getEntity())));
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
