/**
 * An HTTP client for a remote inventory service, built on {@code java.net.http.HttpClient}:
 * {@link dev.netfault.examples.inventory.InventoryClient} with timeouts and a bounded retry, and
 * {@link dev.netfault.examples.inventory.NaiveInventoryClient} without them.
 */
package dev.netfault.examples.inventory;
