/**
 * netfault's core: the fault model ({@link dev.netfault.Fault} = {@link dev.netfault.Effect} +
 * {@link dev.netfault.Trigger} + {@link dev.netfault.Connections}), real-TCP
 * {@link dev.netfault.FaultListener}s, {@link dev.netfault.HeldPort}s and the
 * {@link dev.netfault.Journal}. No JUnit dependency.
 */
package dev.netfault;
