package dev.netfault.benchmarks;

import dev.netfault.FaultListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * The paths a benchmark compares, each in front of the same upstream: the direct loopback path,
 * the naive thread-per-connection relay, NetCrusher (a TcpCrusher on its own NioReactor,
 * pass-through, no throttling, its default buffers) and netfault ({@code FaultListener.inFrontOf},
 * no fault). One {@link Relay} is one relay instance: every connection of a benchmark to that path
 * goes through it.
 */
final class Peers {

    private Peers() {
    }

    /** The paths, in the table's column order. */
    enum Kind {
        DIRECT("direct", null), NAIVE("naive relay", "naive-"), NETCRUSHER("NetCrusher", "NetCrusher"), NETFAULT("netfault", "netfault-");

        final String label;
        /** How the names of this path's relay threads begin; {@code null}: it has none. */
        final String threadPrefix;

        Kind(String label, String threadPrefix) {
            this.label = label;
            this.threadPrefix = threadPrefix;
        }
    }

    /** One relay instance in front of an upstream (for {@link Kind#DIRECT}, the upstream itself). */
    interface Relay extends AutoCloseable {
        Kind kind();

        /** {@return where a client connects to reach the upstream through this path} */
        InetSocketAddress address();

        @Override
        void close() throws IOException;
    }

    /** {@return one relay of each kind in front of {@code upstream}, in column order} */
    static List<Relay> all(InetSocketAddress upstream, String name) throws IOException {
        List<Relay> relays = new ArrayList<>();
        try {
            for (Kind kind : Kind.values()) {
                relays.add(open(kind, upstream, name));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(relays);
            throw e;
        }
        return relays;
    }

    static void closeAll(List<Relay> relays) throws IOException {
        IOException first = null;
        for (Relay relay : relays) {
            try {
                relay.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static Relay open(Kind kind, InetSocketAddress upstream, String name) throws IOException {
        switch (kind) {
            case DIRECT:
                return new Simple(kind, upstream, () -> { });
            case NAIVE: {
                NaiveRelay naive = new NaiveRelay(upstream);
                return new Simple(kind, naive.address(), naive::close);
            }
            case NETCRUSHER:
                return netCrusher(upstream);
            case NETFAULT: {
                FaultListener listener = FaultListener.inFrontOf(upstream).name(name).start();
                return new Simple(kind, listener.address(), listener::close);
            }
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    private static Relay netCrusher(InetSocketAddress upstream) throws IOException {
        NioReactor reactor = new NioReactor();
        try {
            // NetCrusher 0.10 reports the address it was given, not the port the kernel chose: ask
            // the kernel for a free loopback port first (nothing else binds in between here).
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            TcpCrusher crusher = TcpCrusherBuilder.builder()
                    .withReactor(reactor)
                    .withBindAddress(bind)
                    .withConnectAddress(upstream)
                    .withBacklog(1024)
                    .buildAndOpen();
            return new Simple(Kind.NETCRUSHER, bind, () -> {
                crusher.close();
                reactor.close();
            });
        } catch (RuntimeException e) {
            reactor.close();
            throw e;
        }
    }

    private interface Closer {
        void close() throws IOException;
    }

    private record Simple(Kind kind, InetSocketAddress address, Closer closer) implements Relay {
        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    /** A measurement over every path into one sink. */
    interface Measurement {
        List<Row> on(CountingSink sink, List<Relay> paths) throws Exception;
    }

    /** {@return the rows of {@code measurement}, run over every path (named {@code name}) into a new sink; all closed after} */
    static List<Row> intoSink(String name, Measurement measurement) throws Exception {
        try (CountingSink sink = new CountingSink()) {
            List<Relay> paths = all(sink.address(), name);
            try {
                return measurement.on(sink, paths);
            } finally {
                closeAll(paths);
            }
        }
    }
}
