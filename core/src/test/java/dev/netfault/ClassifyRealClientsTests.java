package dev.netfault;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECTION_TIMED_OUT;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.NetworkFailure.UNKNOWN_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.WebServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Real clients under real faults: what each threw, classified. Each test prints the classification
 * ({@code describe()}) so the README's table can be filled from what was observed.
 */
@DisplayName("NetworkFailure.classify on what real clients threw")
class ClassifyRealClientsTests {

    static final String BODY = "x".repeat(20_000);
    static final Duration SHORT = Duration.ofMillis(500);

    static WebServer web;
    static EchoServer echo;

    @BeforeAll
    static void start() {
        SocketAgent.install();
        web = WebServer.answering(BODY);
        echo = EchoServer.start();
    }

    @AfterAll
    static void stop() {
        web.close();
        echo.close();
    }

    FaultListener listener;

    @AfterEach
    void closeListener() {
        if (listener != null) {
            listener.close();
        }
    }

    static Classification assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThat(thrown).as("the client failed").isNotNull();
        Classification classification = NetworkFailure.classify(thrown);
        System.out.println("[classify] " + classification.describe().replace("\n", "\n[classify] "));
        assertThat(classification.failure()).as(classification.describe()).isEqualTo(expected);
        assertThat(classification.evidence()).isNotNull();
        return classification;
    }

    /**
     * A reset met by an HTTP client: CONNECTION_RESET, unless the client's write consumed the reset
     * first, after which Linux reports end of stream to its read and nothing in the chain mentions a
     * reset: then what it says is what it saw (HttpClient's {@code header parser received no bytes}
     * <- {@code EOF reached while reading}, HttpURLConnection's {@code Unexpected end of file from
     * server}: TRUNCATED; its {@code Error writing to server}: BROKEN_PIPE).
     */
    static void assertResetOrConsumedReset(Throwable thrown) {
        Classification classification = NetworkFailure.classify(thrown);
        boolean resetInChain = classification.chain().stream()
                .anyMatch(t -> String.valueOf(t.getMessage()).contains("reset"));
        assertClassified(thrown, resetInChain ? CONNECTION_RESET : classification.failure());
        assertThat(classification.failure()).as(classification.describe())
                .isIn(CONNECTION_RESET, NetworkFailure.TRUNCATED, NetworkFailure.BROKEN_PIPE);
    }

    InetSocketAddress resetting() {
        listener = FaultListener.standalone().name("classify-reset").fault(Fault.reset()).start();
        return listener.address();
    }

    InetSocketAddress stalledWeb() {
        listener = FaultListener.inFrontOf(web.address()).name("classify-stall").fault(Fault.stall()).start();
        return listener.address();
    }

    InetSocketAddress fullQueue() {
        listener = FaultListener.standalone().name("classify-full").neverAccept().backlog(1).fillAcceptQueue().start();
        return listener.address();
    }

    InetSocketAddress cutWeb(long bytes) {
        listener = FaultListener.inFrontOf(web.address()).name("classify-cut")
                .fault(Fault.close().afterBytes(Direction.TO_CLIENT, bytes)).start();
        return listener.address();
    }

    static URI uri(InetSocketAddress address) {
        return URI.create("http://localhost:" + address.getPort() + "/");
    }

    @Nested
    @DisplayName("java.net.Socket and SocketChannel")
    class Sockets {

        @Test
        void resetOnRead() throws Exception {
            try (Socket socket = new Socket()) {
                // the RST may already meet a timed connect (it checks the handshake after the listener reset it): a reset too
                assertClassified(catchThrowable(() -> {
                    socket.connect(resetting(), Clients.PATIENCE_MILLIS);
                    socket.setSoTimeout(Clients.PATIENCE_MILLIS);
                    socket.getInputStream().read();
                }), CONNECTION_RESET);
            }
        }

        @Test
        void resetOnChannelWrite() throws Exception {
            try (SocketChannel channel = SocketChannel.open(resetting())) {
                Clients.awaitFinished(listener.journal(), 1);
                assertClassified(catchThrowable(() -> {
                    for (int i = 0; i < 100; i++) {
                        channel.write(ByteBuffer.wrap(new byte[1024]));
                    }
                }), CONNECTION_RESET);
            }
        }

        @Test
        void readTimeout() throws Exception {
            listener = FaultListener.standalone().name("classify-silent").echo().fault(Fault.stall()).start();
            try (Socket socket = new Socket()) {
                socket.connect(listener.address(), Clients.PATIENCE_MILLIS);
                socket.setSoTimeout((int) SHORT.toMillis());
                socket.getOutputStream().write(1);
                assertClassified(catchThrowable(() -> socket.getInputStream().read()), READ_TIMEOUT);
            }
        }

        @Test
        void connectTimeout() throws Exception {
            try (Socket socket = new Socket()) {
                assertClassified(catchThrowable(() -> socket.connect(fullQueue(), (int) SHORT.toMillis())), CONNECT_TIMEOUT);
            }
        }

        @Test
        void refused() throws Exception {
            InetSocketAddress nothing = Clients.unusedAddress();
            try (Socket socket = new Socket()) {
                assertClassified(catchThrowable(() -> socket.connect(nothing, Clients.PATIENCE_MILLIS)), CONNECTION_REFUSED);
            }
        }

        @Test
        void refusedByTheAgent() {
            try (AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + echo.port()))) {
                assertClassified(catchThrowable(() -> new Socket("localhost", echo.port()).close()), CONNECTION_REFUSED);
            }
        }

        @Test
        void unknownHost() {
            try (AgentRule rule = SocketAgent.failResolution("localhost")) {
                assertClassified(catchThrowable(() -> new Socket("localhost", echo.port()).close()), UNKNOWN_HOST);
            }
        }

        @Test
        void connectionTimedOutOnRead() throws Exception {
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + echo.port()), Duration.ZERO);
                 Socket socket = new Socket("localhost", echo.port())) {
                socket.setSoTimeout(Clients.PATIENCE_MILLIS);
                assertClassified(catchThrowable(() -> socket.getInputStream().read()), CONNECTION_TIMED_OUT);
            }
        }

        @Test
        void connectionTimedOutOnChannelRead() throws Exception {
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + echo.port()), Duration.ZERO);
                 SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", echo.port()))) {
                assertClassified(catchThrowable(() -> channel.read(ByteBuffer.allocate(10))), CONNECTION_TIMED_OUT);
            }
        }
    }

    @Nested
    @DisplayName("HttpURLConnection")
    class UrlConnection {

        static String get(InetSocketAddress address, int readTimeoutMillis) throws Exception {
            HttpURLConnection connection = Clients.httpUrlConnection(uri(address));
            connection.setReadTimeout(readTimeoutMillis);
            try (InputStream in = connection.getInputStream()) {
                return new String(in.readAllBytes());
            } finally {
                connection.disconnect();
            }
        }

        @Test
        void reset() {
            assertResetOrConsumedReset(catchThrowable(() -> get(resetting(), Clients.PATIENCE_MILLIS)));
        }

        @Test
        void readTimeout() {
            assertClassified(catchThrowable(() -> get(stalledWeb(), (int) SHORT.toMillis())), READ_TIMEOUT);
        }

        @Test
        void connectTimeout() {
            InetSocketAddress full = fullQueue();
            assertClassified(catchThrowable(() -> {
                HttpURLConnection connection = Clients.httpUrlConnection(uri(full));
                connection.setConnectTimeout((int) SHORT.toMillis());
                connection.getInputStream().close();
            }), CONNECT_TIMEOUT);
        }

        @Test
        void refused() throws Exception {
            InetSocketAddress nothing = Clients.unusedAddress();
            assertClassified(catchThrowable(() -> get(nothing, Clients.PATIENCE_MILLIS)), CONNECTION_REFUSED);
        }

        @Test
        void unknownHost() {
            try (AgentRule rule = SocketAgent.failResolution("localhost")) {
                assertClassified(catchThrowable(() -> get(web.address(), Clients.PATIENCE_MILLIS)), UNKNOWN_HOST);
            }
        }

        @Test
        void noResponse() {
            assertClassified(catchThrowable(() -> get(cutWeb(0), Clients.PATIENCE_MILLIS)), TRUNCATED);
        }

        /**
         * A cut fixed-length body: JDK 25 throws {@code IOException: Premature EOF} (TRUNCATED); JDK 17's
         * HttpURLConnection returns the body short and throws nothing to classify.
         */
        @Test
        void bodyCut() {
            InetSocketAddress cut = cutWeb(1000);
            String[] body = new String[1];
            Throwable thrown = catchThrowable(() -> body[0] = get(cut, Clients.PATIENCE_MILLIS));
            if (Runtime.version().feature() >= 25) {
                assertClassified(thrown, TRUNCATED);
            } else {
                assertThat(thrown).as("JDK 17 returns the cut body short").isNull();
                assertThat(body[0].length()).as("what arrived before the cut").isGreaterThan(0).isLessThan(BODY.length());
            }
        }
    }

    @Nested
    @DisplayName("java.net.http.HttpClient")
    class JdkHttpClient {

        static void get(InetSocketAddress address, Duration timeout) throws Exception {
            HttpClient client = HttpClient.newBuilder().connectTimeout(dev.netfault.testsupport.Sockets.PATIENCE).build();
            client.send(HttpRequest.newBuilder(uri(address)).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        }

        @Test
        void reset() {
            assertResetOrConsumedReset(catchThrowable(() -> get(resetting(), dev.netfault.testsupport.Sockets.PATIENCE)));
        }

        @Test
        void requestTimeout() {
            assertClassified(catchThrowable(() -> get(stalledWeb(), SHORT)), READ_TIMEOUT);
        }

        @Test
        void connectTimeout() {
            InetSocketAddress full = fullQueue();
            assertClassified(catchThrowable(() -> HttpClient.newBuilder().connectTimeout(SHORT).build()
                    .send(HttpRequest.newBuilder(uri(full)).timeout(dev.netfault.testsupport.Sockets.PATIENCE).build(), HttpResponse.BodyHandlers.ofString())),
                    CONNECT_TIMEOUT);
        }

        @Test
        void refused() throws Exception {
            InetSocketAddress nothing = Clients.unusedAddress();
            assertClassified(catchThrowable(() -> get(nothing, dev.netfault.testsupport.Sockets.PATIENCE)), CONNECTION_REFUSED);
        }

        @Test
        void unknownHost() {
            try (AgentRule rule = SocketAgent.failResolution("localhost")) {
                assertClassified(catchThrowable(() -> get(web.address(), dev.netfault.testsupport.Sockets.PATIENCE)), UNKNOWN_HOST);
            }
        }

        @Test
        void noResponse() {
            assertClassified(catchThrowable(() -> get(cutWeb(0), dev.netfault.testsupport.Sockets.PATIENCE)), TRUNCATED);
        }

        @Test
        void bodyCut() {
            assertClassified(catchThrowable(() -> get(cutWeb(1000), dev.netfault.testsupport.Sockets.PATIENCE)), TRUNCATED);
        }
    }

    @Nested
    @DisplayName("Netty 4.2 (NIO and epoll)")
    class Netty {

        static EventLoopGroup nio;
        static EventLoopGroup epoll;

        @BeforeAll
        static void groups() {
            nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        }

        @AfterAll
        static void shutdown() {
            nio.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            epoll.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }

        /** What the pipeline saw: the first exception, or a close without one. */
        static final class Seen extends ChannelInboundHandlerAdapter {
            final CompletableFuture<Throwable> failure = new CompletableFuture<>();

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failure.complete(cause);
                ctx.close();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                failure.complete(null);
            }
        }

        static Bootstrap client(EventLoopGroup group, Seen seen) {
            return new Bootstrap().group(group)
                    .channel(group == nio ? NioSocketChannel.class : EpollSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) SHORT.toMillis())
                    .handler(seen);
        }

        static Throwable connectFailure(ChannelFuture future) {
            assertThat(future.awaitUninterruptibly(Clients.PATIENCE_MILLIS)).as("the connect finished in time").isTrue();
            return future.cause();
        }

        Throwable resetSeenBy(EventLoopGroup group) throws Exception {
            Seen seen = new Seen();
            ChannelFuture connect = client(group, seen).connect(resetting());
            assertThat(connect.awaitUninterruptibly(Clients.PATIENCE_MILLIS)).as("the connect finished in time").isTrue();
            if (connect.cause() != null) {
                // the reset can beat epoll's finishConnect: AnnotatedConnectException ... error(-104): Connection reset by peer
                return connect.cause();
            }
            Channel channel = connect.channel();
            try {
                Clients.awaitFinished(listener.journal(), 1);
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                return seen.failure.get(Clients.PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            } finally {
                channel.close().syncUninterruptibly();
            }
        }

        @Test
        void nioReset() throws Exception {
            assertClassified(resetSeenBy(nio), CONNECTION_RESET);
        }

        @Test
        void epollReset() throws Exception {
            assertClassified(resetSeenBy(epoll), CONNECTION_RESET);
        }

        @Test
        void nioConnectTimeout() {
            assertClassified(connectFailure(client(nio, new Seen()).connect(fullQueue())), CONNECT_TIMEOUT);
        }

        @Test
        void epollConnectTimeout() {
            assertClassified(connectFailure(client(epoll, new Seen()).connect(fullQueue())), CONNECT_TIMEOUT);
        }

        @Test
        void nioRefused() throws Exception {
            assertClassified(connectFailure(client(nio, new Seen()).connect(Clients.unusedAddress())), CONNECTION_REFUSED);
        }

        @Test
        void epollRefused() throws Exception {
            assertClassified(connectFailure(client(epoll, new Seen()).connect(Clients.unusedAddress())), CONNECTION_REFUSED);
        }

        @Test
        void epollConnectionTimedOut() throws Exception {
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + echo.port()), Duration.ZERO)) {
                Seen seen = new Seen();
                Channel channel = client(epoll, seen).connect("localhost", echo.port()).syncUninterruptibly().channel();
                try {
                    // the write meets ETIMEDOUT (its future fails) or the read does (the pipeline sees it)
                    ChannelFuture write = channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                    assertThat(write.awaitUninterruptibly(Clients.PATIENCE_MILLIS)).isTrue();
                    Throwable failure = write.cause() != null ? write.cause()
                            : seen.failure.get(Clients.PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
                    assertClassified(failure, CONNECTION_TIMED_OUT);
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
        }
    }
}
