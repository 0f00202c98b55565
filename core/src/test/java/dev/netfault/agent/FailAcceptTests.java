package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AcceptError;
import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The application as a server: its accepts fail with an errno, and connections die before it accepts them. */
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
                assertThat(rule.describe()).isEqualTo("fail accepts on port " + server.getLocalPort() + " with EMFILE (3 failed so far)");
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
                    .hasMessage("SocketAgent.failAccept: port must be from 1 to 65535, but was 0. Fix: pass the port the application's"
                            + " server listens on (its getLocalPort()), or use failAcceptOnAnyPort to fail the accepts of every listener");
            assertThatThrownBy(() -> SocketAgent.failAccept(65536, 1, AcceptError.ETIMEDOUT)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("SocketAgent.failAccept: port must be from 1 to 65535, but was 65536.");
            assertThatThrownBy(() -> SocketAgent.failAccept(80, 0)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SocketAgent.failAccept: times, the number of accepts that fail, must be at least 1, but was 0."
                            + " Fix: pass 1 or more (to stop failing accepts, close the rule)");
            assertThatThrownBy(() -> SocketAgent.failAcceptOnAnyPort(-1, AcceptError.EPROTO)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("SocketAgent.failAcceptOnAnyPort: times, the number of accepts that fail, must be at least 1, but was -1.");
            assertThatThrownBy(() -> SocketAgent.failAccept(80, 1, null)).isExactlyInstanceOf(NullPointerException.class).hasMessage("error");
        }
    }

    /**
     * Each errno, on every accept path: what the JDK throws for it (measured by making libc's accept
     * fail under the real JDK 17 and 25: a plain IOException with strerror's text, the listener usable).
     */
    @Nested
    @DisplayName("SocketAgent.failAccept with an errno: IOException with its text, then the pending connection")
    class EveryErrno {

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void serverSocketAccept(AcceptError error) throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 2, error);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage(error.message()).hasNoCause();
                }
                assertThat(server.isClosed()).isFalse();
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
                assertThat(rule.describe()).isEqualTo("fail accepts on port " + server.getLocalPort() + " with " + error + " (2 failed so far)");
            }
        }

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void serverSocketAcceptWithATimeout(AcceptError error) throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 1, error);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                server.setSoTimeout(5000);
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage(error.message());
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
        }

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void blockingServerSocketChannelAccept(AcceptError error) throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 AgentRule rule = SocketAgent.failAccept(port(server), 1, error);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage(error.message());
                assertThat(server.isOpen()).isTrue();
                try (SocketChannel accepted = server.accept()) {
                    assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void serverSocketChannelAcceptWithATimeoutThroughItsSocket(AcceptError error) throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 AgentRule rule = SocketAgent.failAccept(port(server), 1, error);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                server.socket().setSoTimeout(5000);
                assertThatThrownBy(() -> server.socket().accept()).isExactlyInstanceOf(IOException.class).hasMessage(error.message());
                try (Socket accepted = server.socket().accept()) {
                    assertThat(accepted.getRemoteSocketAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void nonBlockingServerSocketChannelAcceptWithASelector(AcceptError error) throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 Selector selector = Selector.open();
                 AgentRule rule = SocketAgent.failAccept(port(server), 1, error);
                 SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                assertThat(selector.select(5000)).as("ready to accept").isEqualTo(1);
                selector.selectedKeys().clear();
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage(error.message());
                assertThat(selector.select(5000)).as("still ready to accept").isEqualTo(1);
                try (SocketChannel accepted = server.accept()) {
                    assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
                }
            }
        }

        @ParameterizedTest
        @EnumSource(AcceptError.class)
        void anAcceptLoopThatLogsAndContinuesServesEveryClient(AcceptError error) throws Exception {
            try (EchoServer server = new EchoServer();
                 AgentRule rule = SocketAgent.failAccept(server.port(), 2, error)) {
                server.start();
                try (Socket first = new Socket(LOOPBACK, server.port())) {
                    assertThat(Io.roundTrip(first, "first")).isEqualTo("first");
                    assertThat(server.log).containsExactly("accept failed: " + error.message(), "accept failed: " + error.message(),
                            "accepted " + first.getLocalPort());
                }
            }
        }

        @Test
        void theTwoArgumentFormIsEmfile() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule rule = SocketAgent.failAccept(server.getLocalPort(), 1)) {
                assertThat(rule.describe()).contains("with EMFILE");
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Too many open files");
            }
        }

        @Test
        void onAnyPortFailsTheFirstAcceptsOfEachListenerButNotNetfaultsOwn() throws Exception {
            try (FaultListener own = FaultListener.standalone().echo().start();
                 ServerSocket a = new ServerSocket(0, 50, LOOPBACK);
                 ServerSocketChannel b = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                 AgentRule rule = SocketAgent.failAcceptOnAnyPort(2, AcceptError.ETIMEDOUT);
                 Socket toA = new Socket(LOOPBACK, a.getLocalPort());
                 SocketChannel toB = SocketChannel.open(b.getLocalAddress());
                 Socket toOwn = new Socket(own.address().getAddress(), own.address().getPort())) {
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(a::accept).isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                    assertThatThrownBy(b::accept).isExactlyInstanceOf(IOException.class).hasMessage("Connection timed out");
                }
                try (Socket accepted = a.accept(); SocketChannel acceptedB = b.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(toA.getLocalPort());
                    assertThat(acceptedB.getRemoteAddress()).isEqualTo(toB.getLocalAddress());
                }
                assertThat(Io.roundTrip(toOwn, "own")).as("netfault's own listener accepts").isEqualTo("own");
                assertThat(rule.describe()).isEqualTo("fail the first 2 accepts on every port with ETIMEDOUT (4 failed so far)");
                assertThatThrownBy(() -> SocketAgent.failAcceptOnAnyPort(1, AcceptError.EMFILE)).isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessage("accepts on every port already fail under another rule");
            }
        }

        @Test
        void aRuleForThePortWinsOverTheRuleForAnyPort() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
                 AgentRule any = SocketAgent.failAcceptOnAnyPort(1, AcceptError.ENOBUFS);
                 AgentRule mine = SocketAgent.failAccept(server.getLocalPort(), 1, AcceptError.ENETDOWN);
                 Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                assertThatThrownBy(server::accept).isExactlyInstanceOf(IOException.class).hasMessage("Network is down");
                try (Socket accepted = server.accept()) {
                    assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
                }
            }
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
