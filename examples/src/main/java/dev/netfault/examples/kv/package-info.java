/**
 * A small TCP server application: {@link dev.netfault.examples.kv.KeyValueServer}, a line-based
 * key-value service on 127.0.0.1.
 */
package dev.netfault.examples.kv;
