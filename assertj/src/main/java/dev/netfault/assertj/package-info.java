/**
 * AssertJ assertions for netfault: on the network failure an application saw
 * ({@link dev.netfault.assertj.NetworkFailureAssert}, through {@link dev.netfault.NetworkFailure#classify}),
 * and on a fault listener's journal ({@link dev.netfault.assertj.JournalAssert},
 * {@link dev.netfault.assertj.ConnectionAssert}). Entry points: {@link dev.netfault.assertj.NetFaultAssertions};
 * soft assertions: {@link dev.netfault.assertj.NetFaultSoftAssertions}.
 *
 * @since 0.1
 */
package dev.netfault.assertj;
