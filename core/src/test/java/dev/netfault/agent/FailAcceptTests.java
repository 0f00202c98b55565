package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.SocketAgent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The application as a server: its accepts fail with EMFILE, and connections die before it accepts them. */
@DisplayName("the application's own accepts")
class FailAcceptTests {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Nested
    @DisplayName("SocketAgent.failAccept: IOException: Too many open files N times, then the pending connection")
    class FailAccept {

        @Test
        void serverSocketAccept() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 3);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                }
                assertThat(server.isClosed()).isFalse();
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
                assertThat(rule.describe()).isEqualTo("fail accepts on port " + server.getLocalPort() + " (3 failed so far)");
            }
        }

        @Test
        void serverSocketAcceptWithATimeout() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 2);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                server.setSoTimeout(5000);
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }

        @Test
        void blockingServerSocketChannelAccept() throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 AgentRule rule = SocketAgent.failAccept(port(server), 2);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                assertThat(server.isOpen()).isTrue();
                try (SocketChannel accepted = server.accept()) {
                    assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @Test
        void serverSocketChannelAcceptWithATimeoutThroughItsSocket() throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 AgentRule rule = SocketAgent.failAccept(port(server), 2);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                server.socket().setSoTimeout(5000);
                assertThatThrownBy(() -> server.socket().accept()).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                assertThatThrownBy(() -> server.socket().accept()).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                try (Socket accepted = server.socket().accept()) {
                    assertThat(accepted.getRemoteSocketAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @Test
        void nonBlockingServerSocketChannelAcceptWithASelector() throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 Selector selector = Selector.open();
                 AgentRule rule = SocketAgent.failAccept(port(server), 2);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                for (int i = 0; i < 2; i++) {
                    assertThat(selector.select(5000)).as("ready to accept").isEqualTo(1);
                    selector.selectedKeys().clear();
                    assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
                }
                // still pending: the selector reports it again, and it is accepted
                assertThat(selector.select(5000)).as("ready to accept").isEqualTo(1);
                try (SocketChannel accepted = server.accept()) {
                    assertThat(accepted).isNotNull();
                    assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @Test
        void anAcceptLoopThatLogsAndContinuesServesEveryClient() throws Exception {
            // The rule is made before the loop starts: an accept() already blocked when a rule is made
            // holds its new file descriptor already (as in the kernel), so only the next one would fail.
            try (EchoServer server = new EchoServer();
                 AgentRule rule = SocketAgent.failAccept(server.port(), 3)) {
                server.start();
                try (Socket first = new Socket(LOOPBACK, server.port());
                     Socket second = new Socket(LOOPBACK, server.port())) {
                    assertThat(Io.roundTrip(first, "first")).isEqualTo("first");
                    assertThat(Io.roundTrip(second, "second")).isEqualTo("second");
                    assertThat(server.log).containsExactly("accept failed: Too many open files", "accept failed: Too many open files",
                            "accept failed: Too many open files", "accepted " + first.getLocalPort(), "accepted " + second.getLocalPort());
                }
            }
        }

        @Test
        void failsOnlyTheAcceptsOfItsPort() throws Exception {
            try (ServerSocket target = new ServerSocket(0, 50, LOOPBACK);
                 ServerSocket other = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(target.getLocalPort(), 1);
                 Socket client = new Socket(LOOPBACK, other.getLocalPort());
                 Socket accepted = other.accept()) {
                assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                assertThat(rule.describe()).endsWith("(0 failed so far)");
            }
        }

        @Test
        void failsNoMoreOnceClosed() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                SocketAgent.failAccept(server.getLocalPort(), 5).close();
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }

        @Test
        void rejectsASecondRuleForThePortAndNonsense() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 1)) {
                assertThatThrownBy(() -> SocketAgent.failAccept(server.getLocalPort(), 1)).isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessage("accepts on port " + server.getLocalPort() + " already fail under another rule");
            }
            assertThatThrownBy(() -> SocketAgent.failAccept(0, 1)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a port must be from 1 to 65535, but was 0");
            assertThatThrownBy(() -> SocketAgent.failAccept(80, 0)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the number of failing accepts must be at least 1, but was 0");
        }
    }

    /** No agent: a real RST reaches a connection still waiting in the accept queue. */
    @Nested
    @DisplayName("a connection reset by its client before the server accepted it")
    class ResetBeforeAccept {

        @Test
        void isStillAcceptedByAServerSocketAndItsReadFailsWithConnectionReset() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
                int clientPort = connectAndReset(server.getLocalPort());
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(clientPort);
                    assertThatThrownBy(() -> accepted.getInputStream().read())
                            .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
        }

        @Test
        void isStillAcceptedByAServerSocketChannelAndItsReadFailsWithConnectionReset() throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
                int clientPort = connectAndReset(port(server));
                try (SocketChannel accepted = server.accept()) {
                    assertThat(((InetSocketAddress) accepted.getRemoteAddress()).getPort()).isEqualTo(clientPort);
                    assertThatThrownBy(() -> accepted.read(ByteBuffer.allocate(16)))
                            .isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
                }
            }
        }

        private int connectAndReset(int port) throws IOException {
            Socket client = new Socket(LOOPBACK, port);
            int clientPort = client.getLocalPort();
            client.setSoLinger(true, 0);
            client.close();
            return clientPort;
        }
    }

    private static int port(ServerSocketChannel server) throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** An application server whose accept loop logs a failed accept and carries on. */
    private static final class EchoServer implements AutoCloseable {
        final List<String> log = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final Thread loop;

        EchoServer() throws IOException {
            server = new ServerSocket(0, 50, LOOPBACK);
            loop = new Thread(this::acceptLoop, "application-accept-loop");
        }

        void start() {
            loop.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    log.add("accepted " + socket.getPort());
                    Thread echo = new Thread(() -> echo(socket), "application-echo");
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                    log.add("accept failed: " + e.getMessage());
                }
            }
        }

        private static void echo(Socket socket) {
            try (socket) {
                byte[] buffer = new byte[1024];
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    socket.getOutputStream().write(buffer, 0, n);
                }
            } catch (IOException e) {
                // client gone
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            loop.join(5000);
            assertThat(loop.isAlive()).as("accept loop still running").isFalse();
        }
    }
}
