package dev.netfault.examples.prices;

import java.io.IOException;

/**
 * Asks a price service for the price of a product: {@code GET /prices/{sku}}, answered with the price
 * in cents as plain text.
 */
public interface PriceClient extends AutoCloseable {

    /**
     * {@return the price of the product, in cents}
     *
     * @throws IOException when the service cannot be reached, does not answer in time, or answers with
     *         anything but a price (the client's own exception, with the network's failure as its cause)
     */
    long centsFor(String sku) throws IOException;

    /** Releases the client's connections and threads. */
    @Override
    void close();
}
