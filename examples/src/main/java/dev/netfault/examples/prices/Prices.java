package dev.netfault.examples.prices;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** What the three HTTP clients share: the request's address and the reading of the answer. */
final class Prices {

    private Prices() {
    }

    static URI uriFor(URI service, String sku) {
        return service.resolve("prices/" + URLEncoder.encode(sku, StandardCharsets.UTF_8));
    }

    /** An HTTP error or an unreadable body is an answer, not a network failure: it is reported as such. */
    static long parse(URI service, String sku, int status, String body) throws IOException {
        if (status != 200) {
            throw new IOException("price service " + service + " answered HTTP " + status + " for " + sku);
        }
        try {
            return Long.parseLong(body.strip());
        } catch (NumberFormatException e) {
            throw new IOException("price service " + service + " answered an unreadable price for " + sku + ": " + body, e);
        }
    }
}
