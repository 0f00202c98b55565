/**
 * A price lookup, as four applications would write it: over {@code java.net.http.HttpClient}
 * ({@link dev.netfault.examples.prices.JdkPriceClient}), OkHttp
 * ({@link dev.netfault.examples.prices.OkHttpPriceClient}), Apache HttpClient 5
 * ({@link dev.netfault.examples.prices.ApachePriceClient}), and JDBC through a HikariCP pool
 * ({@link dev.netfault.examples.prices.PriceRepository}). Each sets the timeouts its client offers, and
 * nothing more: their tests show what each client reports under a reset, a connect timeout, a hung
 * server, and how it recovers once the network heals.
 */
package dev.netfault.examples.prices;
