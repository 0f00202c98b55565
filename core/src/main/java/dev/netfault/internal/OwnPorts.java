package dev.netfault.internal;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loopback ports netfault itself listens on (fault listeners of every test, held ports, the
 * closed ports behind refusals). Socket agent rules whose target leaves the host or the port open
 * ({@code "127.0.0.1"}, {@code ":8080"}) never touch connections to these: a test's
 * {@code @RefuseConnections("localhost")} must not refuse another test's fault listener.
 *
 * <p>Entries clean themselves up: a port counts only while the channel registered for it is open.
 */
public final class OwnPorts {

    private static final Map<Integer, WeakReference<NetworkChannel>> PORTS = new ConcurrentHashMap<>();

    private OwnPorts() {
    }

    /** Records the port {@code channel} is bound to; returns the channel. */
    public static <C extends NetworkChannel> C register(C channel) {
        try {
            if (channel.getLocalAddress() instanceof InetSocketAddress local) {
                PORTS.put(local.getPort(), new WeakReference<>(channel));
            }
        } catch (IOException closed) {
            // a closed channel holds no port
        }
        return channel;
    }

    /**
     * {@return whether a netfault listener is bound to {@code address:port} now} The address counts: an application's
     * server on 127.0.0.21 may have the port number of a netfault listener on 127.0.0.1.
     */
    public static boolean contains(InetAddress address, int port) {
        WeakReference<NetworkChannel> ref = PORTS.get(port);
        if (ref == null) {
            return false;
        }
        NetworkChannel channel = ref.get();
        if (channel == null || !channel.isOpen()) {
            PORTS.remove(port, ref);
            return false;
        }
        try {
            InetAddress bound = ((InetSocketAddress) channel.getLocalAddress()).getAddress();
            return bound.isAnyLocalAddress() || bound.equals(address);
        } catch (IOException | RuntimeException closedMeanwhile) {
            return false;
        }
    }
}
