package dev.netfault.examples.prices;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.Objects;

/**
 * A {@link PriceClient} with a retry policy of its own, around another: a price lookup is an
 * idempotent GET, so when the connection failed under it (reset, closed before the answer, broken
 * pipe) it is asked again, at once, up to {@code retries} more times. A timeout, a refused connect or an
 * answer that is not a price is no connection failure and is not retried: the service is slow, down or
 * wrong, and asking again would not help.
 */
public final class RetryingPriceClient implements PriceClient {

    private final PriceClient client;
    private final int retries;

    /**
     * @param client  the client that asks, best one that does not retry by itself (so that this policy
     *                is the only one)
     * @param retries how many more times to ask after a connection failure, 0 or more
     */
    public RetryingPriceClient(PriceClient client, int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, but was " + retries);
        }
        this.client = Objects.requireNonNull(client, "client");
        this.retries = retries;
    }

    /**
     * {@inheritDoc}
     *
     * <p>After a connection failure, the call is repeated up to {@code retries} times; if every attempt
     * failed, the last failure is thrown with the earlier ones suppressed.
     */
    @Override
    public long centsFor(String sku) throws IOException {
        IOException failure = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            try {
                return client.centsFor(sku);
            } catch (IOException e) {
                if (!connectionFailed(e)) {
                    throw e;
                }
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        throw failure;
    }

    /**
     * A connection that broke under the request: a reset or broken pipe ({@code SocketException} other
     * than a refused connect), or end of stream before the answer (an {@code EOFException}, OkHttp's
     * "unexpected end of stream", Apache's "failed to respond"), anywhere in the chain. Timeouts
     * ({@code InterruptedIOException}) are not.
     */
    static boolean connectionFailed(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof InterruptedIOException || t instanceof ConnectException) {
                return false;
            }
            if (t instanceof SocketException || t instanceof EOFException) {
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (message.startsWith("unexpected end of stream") || message.endsWith("failed to respond")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    @Override
    public void close() {
        client.close();
    }
}
