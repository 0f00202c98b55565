/**
 * Helpers for netfault's own tests, shared by core's and junit-extension's: real servers on
 * loopback ephemeral ports (a thread-per-connection accept loop, a recording server, an echo
 * server, an HTTP server), and a plain client's view of a connection (connect, read all, timed
 * reads). Plain Java: no netfault types, so core's tests can use it. Not API, not published.
 */
package dev.netfault.testsupport;
