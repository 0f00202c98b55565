package dev.netfault;

import dev.netfault.internal.OwnPorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

/**
 * A port held by a leaked listening socket: bound on 127.0.0.1 and listening, never accepting, as a
 * previous run of a server that never closed its {@code ServerSocket} would leave it.
 *
 * <p>What the application sees when it binds this port, on 127.0.0.1 or on the wildcard address,
 * with or without {@code SO_REUSEADDR}: {@code java.net.BindException: Address already in use}.
 *
 * @since 0.1
 */
public final class HeldPort implements AutoCloseable {

    private final ServerSocketChannel channel;
    private final InetSocketAddress address;

    private HeldPort(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.address = (InetSocketAddress) channel.getLocalAddress();
    }

    /** {@return a newly held ephemeral port on 127.0.0.1} */
    public static HeldPort hold() {
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            return new HeldPort(OwnPorts.register(channel));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("netfault could not hold a loopback port", e);
        }
    }

    /** {@return the held port} */
    public int port() {
        return address.getPort();
    }

    /** {@return 127.0.0.1 and the held port} */
    public InetSocketAddress address() {
        return address;
    }

    /** {@return whether the port is still held} */
    public boolean isHeld() {
        return channel.isOpen();
    }

    /** Release the port (it binds again at once: a listener that never accepted leaves no TIME_WAIT). */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a listening socket cannot lose data
            }
        }
    }

    @Override
    public String toString() {
        return "HeldPort[" + address + (isHeld() ? "" : ", released") + "]";
    }
}
