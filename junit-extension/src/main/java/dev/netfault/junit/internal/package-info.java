/**
 * Implementation of netfault's JUnit extension. Not API: anything here may change in any release.
 */
package dev.netfault.junit.internal;
