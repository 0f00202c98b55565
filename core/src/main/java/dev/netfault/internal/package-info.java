/**
 * Implementation of netfault's core. Not API: anything here may change in any release.
 */
package dev.netfault.internal;
