/**
 * The fault timeline of a test (its text, report entry, {@code timeline.html} and {@code journal.json}).
 * Not API: anything here may change in any release; the field names of {@code journal.json} are
 * documented in the README and kept stable.
 */
package dev.netfault.junit.internal.report;
