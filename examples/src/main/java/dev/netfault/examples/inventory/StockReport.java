package dev.netfault.examples.inventory;

/**
 * The inventory service's answer to {@code GET /stock/{sku}}: plain text, one line per warehouse,
 * {@code <warehouse> <units>}. The product's availability is the sum.
 */
final class StockReport {

    private StockReport() {
    }

    static int totalUnits(String body) {
        int total = 0;
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length != 2) {
                    throw new IllegalArgumentException("not '<warehouse> <units>': " + line);
                }
                total += Integer.parseInt(fields[1]);
            }
        }
        return total;
    }
}
