package dev.netfault.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import javax.net.SocketFactory;

/** A socket factory whose sockets connect to a fault listener, whatever address they are given. */
final class RedirectingSocketFactory extends SocketFactory {

    private final InetSocketAddress listener;

    RedirectingSocketFactory(InetSocketAddress listener) {
        this.listener = listener;
    }

    @Override
    public Socket createSocket() {
        return new RedirectingSocket(listener);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(unresolvedIfNeeded(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(unresolvedIfNeeded(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localAddress, localPort));
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }

    /** The application's host need not resolve: the connection goes to the listener anyway. */
    private static InetSocketAddress unresolvedIfNeeded(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return InetSocketAddress.createUnresolved(host, port);
        }
    }

    /** Connects to the listener, and reports the address the application asked for. */
    private static final class RedirectingSocket extends Socket {
        private final InetSocketAddress listener;
        private volatile InetSocketAddress requested;

        RedirectingSocket(InetSocketAddress listener) {
            this.listener = listener;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress target)) {
                throw new IllegalArgumentException("Unsupported address type");
            }
            requested = target;
            super.connect(listener, timeout);
        }

        @Override
        public InetAddress getInetAddress() {
            InetSocketAddress target = requested;
            return target == null || !isConnected() ? super.getInetAddress() : target.getAddress();
        }

        @Override
        public int getPort() {
            InetSocketAddress target = requested;
            return target == null || !isConnected() ? super.getPort() : target.getPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            InetSocketAddress target = requested;
            return target == null || !isConnected() ? super.getRemoteSocketAddress() : target;
        }

        @Override
        public String toString() {
            return "Socket[to " + requested + " through netfault listener " + listener + "]";
        }
    }
}
