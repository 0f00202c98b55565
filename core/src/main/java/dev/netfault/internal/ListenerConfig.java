package dev.netfault.internal;

import dev.netfault.Fault;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** A validated listener configuration, built by {@code FaultListener.Builder}. */
public record ListenerConfig(
        String name,
        InetSocketAddress upstream,
        boolean echo,
        List<Fault> faults,
        Duration acceptDelay,
        boolean acceptNever,
        int backlog,
        boolean fillAcceptQueue,
        int leakLimit,
        long seed,
        boolean resetOnClose) {
}
