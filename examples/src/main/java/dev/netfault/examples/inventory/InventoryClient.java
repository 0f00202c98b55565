package dev.netfault.examples.inventory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A client for an inventory service's HTTP API, written to survive the network:
 * <ul>
 *   <li>a <b>connect timeout</b>: a server whose accept queue is full drops our SYNs, and without
 *       a timeout the JDK waits for the kernel's SYN retries (about two minutes on Linux);</li>
 *   <li>a <b>request timeout</b>: a server that accepts and never answers would keep us waiting
 *       forever;</li>
 *   <li>a <b>bounded retry</b> with a small exponential backoff, for this idempotent GET, on any
 *       {@link IOException}: resets, truncated responses, and both timeouts
 *       ({@code HttpTimeoutException} and its subclass {@code HttpConnectTimeoutException} are
 *       {@code IOException}s);</li>
 *   <li>one <b>domain exception</b>, {@link ServiceUnavailableException}, with the last failure as
 *       its cause, so callers handle "the service is down" in one place.</li>
 * </ul>
 * Good to know: {@code HttpClient} itself already sends an idempotent request a second time, on a
 * new connection, when its connection is reset before any response byte. This retry is on top of
 * that one: it also covers timeouts, truncated responses and a second reset.
 *
 * <pre>{@code
 * InventoryClient inventory = InventoryClient.builder(URI.create("http://inventory.internal:8080/"))
 *         .connectTimeout(Duration.ofMillis(500))
 *         .requestTimeout(Duration.ofSeconds(2))
 *         .maxAttempts(3)
 *         .build();
 * int units = inventory.available("ABC-1");
 * }</pre>
 */
public final class InventoryClient {

    /** Told about each failed attempt that is followed by another one (for logs and metrics). */
    @FunctionalInterface
    public interface RetryListener {
        void retrying(int failedAttempt, IOException failure);
    }

    private final URI baseUri;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration backoff;
    private final RetryListener retryListener;

    private InventoryClient(Builder builder) {
        this.baseUri = builder.baseUri;
        this.requestTimeout = builder.requestTimeout;
        this.maxAttempts = builder.maxAttempts;
        this.backoff = builder.backoff;
        this.retryListener = builder.retryListener;
        this.http = HttpClient.newBuilder()
                .connectTimeout(builder.connectTimeout)
                .build();
    }

    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /**
     * {@return how many units of the product are available, over all warehouses}
     *
     * @throws ServiceUnavailableException if no attempt got an answer, or the service answered
     *         with an error status
     */
    public int available(String sku) throws ServiceUnavailableException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("stock/" + URLEncoder.encode(sku, StandardCharsets.UTF_8)))
                .timeout(requestTimeout)
                .header("Accept", "text/plain")
                .GET()
                .build();
        List<IOException> failures = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            try {
                return unitsIn(http.send(request, HttpResponse.BodyHandlers.ofString()), sku);
            } catch (IOException e) { // a reset, a truncated response, a connect or request timeout
                failures.add(e);
                if (attempt == maxAttempts) {
                    throw unavailable(failures);
                }
                retryListener.retrying(attempt, e);
                Thread.sleep(backoff.toMillis() << (attempt - 1)); // backoff, then 2 x backoff, 4 x backoff, ...
            }
        }
    }

    private int unitsIn(HttpResponse<String> response, String sku) throws ServiceUnavailableException {
        // An HTTP error status is an answer, not a network fault: report it without retrying.
        if (response.statusCode() != 200) {
            throw new ServiceUnavailableException("inventory service " + baseUri + " answered HTTP " + response.statusCode()
                    + " for " + sku);
        }
        try {
            return StockReport.totalUnits(response.body());
        } catch (IllegalArgumentException e) {
            throw new ServiceUnavailableException("inventory service " + baseUri + " answered an unreadable stock report for "
                    + sku + ": " + e.getMessage());
        }
    }

    private ServiceUnavailableException unavailable(List<IOException> failures) {
        IOException last = failures.get(failures.size() - 1);
        ServiceUnavailableException unavailable = new ServiceUnavailableException(baseUri, failures.size(), last);
        failures.subList(0, failures.size() - 1).forEach(unavailable::addSuppressed);
        return unavailable;
    }

    /** Builds an {@link InventoryClient}; the defaults suit a service in the same data centre. */
    public static final class Builder {
        private final URI baseUri;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxAttempts = 3;
        private Duration backoff = Duration.ofMillis(100);
        private RetryListener retryListener = (attempt, failure) -> { };

        private Builder(URI baseUri) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        }

        /** How long to wait for the TCP connection (default 1 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for the response headers of one attempt (default 5 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How many requests to send at most, the first included (default 3). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The pause before the second attempt; it doubles before each later one (default 100 ms). */
        public Builder backoff(Duration backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        public Builder onRetry(RetryListener listener) {
            this.retryListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public InventoryClient build() {
            return new InventoryClient(this);
        }
    }
}
