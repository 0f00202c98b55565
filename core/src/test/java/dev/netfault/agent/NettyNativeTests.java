package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.internal.agent.SocketTracker;
import dev.netfault.internal.boot.NetFaultHooks;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Netty's native epoll transport (gRPC's default, Lettuce's and Reactor Netty's when the native library is
 * present) and Netty's own DNS resolver under the socket agent: they bypass {@code sun.nio.ch} and
 * {@code InetAddress}, so the agent advises Netty's classes (in any copy of Netty) as well.
 */
@DisplayName("SocketAgent with Netty's native epoll transport and DnsNameResolver")
class NettyNativeTests {

    private static final String HOST = "svc.netfault.invalid";
    private static final Duration AFTER = Duration.ofMillis(300);
    private static EventLoopGroup group;

    @BeforeAll
    static void startTheEventLoops() {
        Epoll.ensureAvailability(); // throws with the cause when the native transport does not load
        assertThat(Epoll.isAvailable()).as("Netty's epoll transport loads on this Linux").isTrue();
        group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void stopThem() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // ---- a Netty epoll echo server and client --------------------------------------------------

    /** An epoll echo server on loopback that remembers the connections it accepted. */
    static final class NettyEchoServer implements AutoCloseable {
        final Channel channel;
        final Queue<Channel> accepted = new ConcurrentLinkedQueue<>();

        NettyEchoServer() {
            channel = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.add(ch);
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            accepted.forEach(Channel::close);
        }
    }

    /** What an epoll client channel received and which exceptions reached its pipeline. */
    static final class Received extends ChannelInboundHandlerAdapter {
        final StringBuffer text = new StringBuffer();
        final Queue<Throwable> exceptions = new ConcurrentLinkedQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            text.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }
    }

    private static Bootstrap client(Received received) {
        return new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(received);
    }

    private static String roundTrip(Channel channel, Received received, String text) {
        int before = received.text.length();
        channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)).syncUninterruptibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.text.length() >= before + text.length());
        return received.text.substring(before);
    }

    private static Throwable connectFailure(ChannelFuture future) {
        assertThat(future.awaitUninterruptibly(10, TimeUnit.SECONDS)).as("connect completed").isTrue();
        assertThat(future.isSuccess()).as("connect succeeded").isFalse();
        return future.cause();
    }

    // ---- connects ------------------------------------------------------------------------------

    @Nested
    @DisplayName("redirect and refuse reach epoll connects")
    class Connects {

        private NettyEchoServer real;
        private FaultListener listener;

        @BeforeEach
        void startTheRealServerAndAListenerInFrontOfIt() {
            real = new NettyEchoServer();
            listener = FaultListener.inFrontOf(real.address()).name("netty-native").start();
        }

        @AfterEach
        void stopThem() throws Exception {
            listener.close();
            real.close();
        }

        @Test
        void redirectRoutesAnEpollConnectionThroughTheListenerAndKeepsItsRemoteAddress() {
            Received received = new Received();
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address())) {
                Channel channel = client(received).connect("localhost", real.port()).syncUninterruptibly().channel();
                try {
                    assertThat(roundTrip(channel, received, "ping")).isEqualTo("ping");
                    int localPort = ((InetSocketAddress) channel.localAddress()).getPort();
                    assertThat(listener.journal().connections()).singleElement()
                            .satisfies(c -> assertThat(c.client().getPort()).as("port the listener accepted from").isEqualTo(localPort))
                            .satisfies(c -> assertThat(c.upstreamConnected()).as("relayed upstream").isPresent());
                    assertThat(channel.remoteAddress()).hasToString("localhost/127.0.0.1:" + real.port());
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
            assertThat(received.exceptions).isEmpty();
        }

        @Test
        void connectionsThatNoRuleMatchesAreLeftAlone() {
            Received received = new Received();
            try (AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + (real.port() == 1 ? 2 : 1)), listener.address())) {
                Channel channel = client(received).connect("localhost", real.port()).syncUninterruptibly().channel();
                try {
                    assertThat(roundTrip(channel, received, "direct")).isEqualTo("direct");
                    assertThat(listener.journal().connections()).isEmpty();
                    assertThat(real.accepted).singleElement().satisfies(child -> assertThat(((InetSocketAddress) child.remoteAddress())
                            .getPort()).isEqualTo(((InetSocketAddress) channel.localAddress()).getPort()));
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
        }

        @Test
        void refuseFailsTheConnectAsAClosedPortDoesNamingTheAddressAskedFor() throws Exception {
            // What epoll reports for a real refusal, at a port where nothing listens.
            int closedPort;
            try (java.net.ServerSocket reserved = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = reserved.getLocalPort();
            }
            Throwable reference = connectFailure(client(new Received()).connect("localhost", closedPort));
            assertThat(reference.getClass().getName()).isEqualTo("io.netty.channel.AbstractChannel$AnnotatedConnectException");
            assertThat(reference)
                    .hasMessageEndingWith("Connection refused: localhost/127.0.0.1:" + closedPort);

            try (AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + real.port()))) {
                Throwable refused = connectFailure(client(new Received()).connect("localhost", real.port()));
                assertThat(refused).isExactlyInstanceOf(reference.getClass())
                        .hasMessage(reference.getMessage().replace(":" + closedPort, ":" + real.port()));
            }
            assertThat(real.accepted).as("the real server never saw the refused connection").isEmpty();
        }

        @Test
        void aRedirectedNameThatDoesNotResolveReachesTheListener() {
            Received received = new Received();
            try (AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":8080"), listener.address())) {
                Channel channel = client(received).connect(HOST, 8080).syncUninterruptibly().channel();
                try {
                    assertThat(roundTrip(channel, received, "by name")).isEqualTo("by name");
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getHostString()).isEqualTo(HOST);
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress()).startsWith("127.77.");
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getPort()).isEqualTo(8080);
                    assertThat(listener.journal().connections()).hasSize(1);
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
        }
    }

    // ---- ETIMEDOUT -----------------------------------------------------------------------------

    @Nested
    @DisplayName("timeOutConnections: epoll reports Errors.NativeIoException ... error(-110): Connection timed out")
    class TimeOuts {

        private NettyEchoServer real;

        @BeforeEach
        void startTheRealServer() {
            real = new NettyEchoServer();
        }

        @AfterEach
        void stopIt() {
            real.close();
        }

        @Test
        void aConnectionOpenedBeforeTheRuleDiesWithEtimedoutToo() {
            Received received = new Received();
            Channel channel = client(received).connect("localhost", real.port()).syncUninterruptibly().channel();
            assertThat(roundTrip(channel, received, "warm")).isEqualTo("warm");
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), AFTER)) {
                assertThat(rule.describeMatches()).isEqualTo("0 connect(s), 1 connection(s) already open when it was made");
                await().atMost(Duration.ofSeconds(10)).until(() -> !received.exceptions.isEmpty());
                assertThat(received.exceptions.peek()).isExactlyInstanceOf(Errors.NativeIoException.class)
                        .hasMessageMatching("recv(Address)?\\(\\.\\.\\) failed with error\\(-110\\): Connection timed out");
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
            }
        }

        @Test
        void aRedirectEndsAConnectionOpenedBeforeItWithNettysOwnReset() throws Exception {
            Received received = new Received();
            Channel channel = client(received).connect("localhost", real.port()).syncUninterruptibly().channel();
            assertThat(roundTrip(channel, received, "warm")).isEqualTo("warm");
            try (FaultListener listener = FaultListener.inFrontOf(new InetSocketAddress("localhost", real.port())).start();
                 AgentRule rule = SocketAgent.redirect(Target.parse("localhost:" + real.port()), listener.address())) {
                assertThat(rule.matches()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10)).until(() -> !received.exceptions.isEmpty());
                Throwable failure = received.exceptions.peek();
                assertThat(failure).isExactlyInstanceOf(Errors.NativeIoException.class)
                        .hasMessageMatching("recv(Address)?\\(\\.\\.\\) failed with error\\(-104\\): Connection reset by peer");
                assertThat(((Errors.NativeIoException) failure).expectedErr()).isEqualTo(-104);
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
                // the application reconnects, through the listener
                Received again = new Received();
                Channel fresh = client(again).connect("localhost", real.port()).syncUninterruptibly().channel();
                assertThat(roundTrip(fresh, again, "fresh")).isEqualTo("fresh");
                assertThat(listener.journal().accepted()).isEqualTo(1);
                fresh.close().syncUninterruptibly();
            }
        }

        @Test
        void anIdleConnectionFailsOnItsReadAndIsDeadBothWays() {
            Received received = new Received();
            long start = System.nanoTime();
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), AFTER)) {
                Channel channel = client(received).connect("localhost", real.port()).syncUninterruptibly().channel();
                assertThat(roundTrip(channel, received, "alive")).isEqualTo("alive");
                await().atMost(Duration.ofSeconds(10)).until(() -> !received.exceptions.isEmpty());
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(AFTER);
                Throwable failure = received.exceptions.peek();
                assertThat(failure).isExactlyInstanceOf(Errors.NativeIoException.class)
                        .hasMessageMatching("recv(Address)?\\(\\.\\.\\) failed with error\\(-110\\): Connection timed out");
                assertThat(failure.getMessage()).isEqualTo(Errors.newIOException(
                        failure.getMessage().startsWith("recvAddress") ? "recvAddress" : "recv", -110).getMessage());
                assertThat(((Errors.NativeIoException) failure).expectedErr()).isEqualTo(-110);
                // Netty closes a channel whose read failed; the server sees the connection end too.
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
                await().atMost(Duration.ofSeconds(10)).until(() -> real.accepted.stream().noneMatch(Channel::isActive));
                assertThat(received.exceptions).as("reported once").hasSize(1);
            }
        }

        @Test
        void aFaultArmedOnAConnectionClosedEarlyNeverTouchesTheSocketThatReusesItsNumber() {
            try (NettyEchoServer other = new NettyEchoServer();
                 AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), AFTER)) {
                Channel first = client(new Received()).connect("localhost", real.port()).syncUninterruptibly().channel();
                int number = ((EpollSocketChannel) first).fd().intValue();
                first.close().syncUninterruptibly();
                assertThat(NetFaultHooks.nettySockets).as("the closed socket is forgotten").isFalse();
                // A connection the rule is not aimed at gets the descriptor number back (the kernel hands out the lowest free one).
                Received received = new Received();
                Channel second = null;
                for (int attempt = 0; attempt < 20 && second == null; attempt++) {
                    Channel candidate = client(received).connect(other.address()).syncUninterruptibly().channel();
                    if (((EpollSocketChannel) candidate).fd().intValue() == number) {
                        second = candidate;
                    } else {
                        candidate.close().syncUninterruptibly();
                    }
                }
                assertThat(second).as("a connection reusing descriptor %d", number).isNotNull();
                Channel reused = second;
                await().pollDelay(AFTER.multipliedBy(3)).atMost(Duration.ofSeconds(10)).until(reused::isActive);
                assertThat(roundTrip(reused, received, "untouched")).isEqualTo("untouched");
                assertThat(received.exceptions).isEmpty();
                reused.close().syncUninterruptibly();
            }
        }

        @Test
        void aWriteAfterTheTimeoutFailsWithIt() {
            Received received = new Received();
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), Duration.ZERO)) {
                Channel channel = client(received).option(ChannelOption.AUTO_READ, false)
                        .connect("localhost", real.port()).syncUninterruptibly().channel();
                ChannelFuture write = channel.writeAndFlush(Unpooled.copiedBuffer("lost", StandardCharsets.UTF_8))
                        .awaitUninterruptibly();
                assertThat(write.isSuccess()).isFalse();
                assertThat(write.cause()).isExactlyInstanceOf(Errors.NativeIoException.class)
                        .hasMessageMatching("\\w+\\(\\.\\.\\) failed with error\\(-110\\): Connection timed out");
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
                await().atMost(Duration.ofSeconds(10)).until(() -> real.accepted.stream().noneMatch(Channel::isActive));
            }
        }
    }

    // ---- leaks ---------------------------------------------------------------------------------

    @Test
    void leakTrackingReportsAnEpollSocketLeftOpenAndNotOneClosed() {
        SocketTracker.Session session = SocketTracker.start();
        List<SocketTracker.Leak> leaks;
        NettyEchoServer leaked;
        try {
            leaked = new NettyEchoServer();
            Received received = new Received();
            Channel channel = client(received).connect(leaked.address()).syncUninterruptibly().channel();
            assertThat(roundTrip(channel, received, "tracked")).isEqualTo("tracked");
            channel.close().syncUninterruptibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> leaked.accepted.stream().noneMatch(Channel::isOpen));
        } finally {
            leaks = session.stop();
        }
        try {
            assertThat(leaks).singleElement().satisfies(leak -> {
                assertThat(leak.kind()).startsWith("Netty native socket");
                assertThat(leak.local()).isEqualTo(leaked.address().toString());
                assertThat(leak.openedAt()).anySatisfy(frame -> assertThat(frame.getClassName()).startsWith(NettyNativeTests.class.getName()));
            });
        } finally {
            leaked.close();
        }
    }

    // ---- Netty's DNS resolver ------------------------------------------------------------------

    /** A name server on loopback that answers every query NXDOMAIN (authoritative) and counts the queries. */
    static final class NxDomainServer implements AutoCloseable {
        final DatagramSocket socket;
        final AtomicInteger queries = new AtomicInteger();
        final Thread thread;

        NxDomainServer() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "nxdomain-server");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            byte[] buffer = new byte[1500];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                    socket.receive(query);
                    queries.incrementAndGet();
                    byte[] answer = java.util.Arrays.copyOf(query.getData(), query.getLength());
                    answer[2] = (byte) (0x80 | 0x04 | (answer[2] & 0x01)); // QR, AA, RD as asked
                    answer[3] = 0x03; // NXDOMAIN
                    answer[6] = answer[7] = answer[8] = answer[9] = answer[10] = answer[11] = 0; // no answer, authority or additional records
                    int end = 12;
                    while (answer[end] != 0) {
                        end += (answer[end] & 0xff) + 1;
                    }
                    end += 5; // the root label, type and class
                    socket.send(new DatagramPacket(answer, end, query.getSocketAddress()));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Nested
    @DisplayName("DnsNameResolver honours failResolution and answers redirected names")
    class NettysResolver {

        private NxDomainServer nameServer;
        private DnsNameResolverBuilder builder;
        private DnsNameResolver resolver;

        @BeforeEach
        void startANameServerOnLoopback() throws SocketException {
            nameServer = new NxDomainServer();
            builder = new DnsNameResolverBuilder(group.next()).datagramChannelType(EpollDatagramChannel.class)
                    .nameServerProvider(new SingletonDnsServerAddressStreamProvider(nameServer.address()))
                    .searchDomains(List.of()).resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                    .queryTimeoutMillis(5000).maxQueriesPerResolve(4);
            resolver = builder.build();
        }

        @AfterEach
        void stopIt() {
            resolver.close();
            nameServer.close();
        }

        @Test
        void failResolutionFailsTheLookupAsAnNxdomainAnswerDoesWithoutAQuery() {
            // What Netty reports for a name its name server says does not exist.
            Future<InetAddress> real = resolver.resolve("other.netfault.invalid").awaitUninterruptibly();
            assertThat(nameServer.queries).hasValue(1);
            assertThat(real.cause()).isExactlyInstanceOf(UnknownHostException.class)
                    .hasMessage("Failed to resolve 'other.netfault.invalid' [A(1)]");

            try (AgentRule rule = SocketAgent.failResolution("db.netfault.invalid")) {
                Future<InetAddress> one = resolver.resolve("db.netfault.invalid").awaitUninterruptibly();
                Future<List<InetAddress>> all = resolver.resolveAll("db.netfault.invalid").awaitUninterruptibly();
                for (Future<?> failed : List.of(one, all)) {
                    assertThat(failed.cause()).isExactlyInstanceOf(UnknownHostException.class)
                            .hasMessage(real.cause().getMessage().replace("other.", "db."));
                    assertThat(failed.cause().getCause()).isSameAs(real.cause().getCause());
                }
                // A name the rule is not about still goes to the name server.
                assertThat(resolver.resolve("third.netfault.invalid").awaitUninterruptibly().cause())
                        .isExactlyInstanceOf(UnknownHostException.class);
                // The JDK's own first lookup still words the failure as the JDK's resolver does, then as its negative cache.
                assertThatThrownBy(() -> InetAddress.getByName("db.netfault.invalid")).isExactlyInstanceOf(UnknownHostException.class)
                        .hasMessage("db.netfault.invalid: Name or service not known");
                assertThatThrownBy(() -> InetAddress.getByName("db.netfault.invalid")).isExactlyInstanceOf(UnknownHostException.class)
                        .hasMessage("db.netfault.invalid");
            }
            assertThat(nameServer.queries).as("queries the name server got").hasValue(2);
        }

        @Test
        void aRedirectedNameIsAnsweredWithItsStandInAddressWithoutAQuery() throws Exception {
            try (NettyEchoServer real = new NettyEchoServer();
                 FaultListener listener = FaultListener.inFrontOf(real.address()).name("netty-dns").start();
                 AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":8080"), listener.address())) {
                InetAddress one = resolver.resolve(HOST).syncUninterruptibly().getNow();
                List<InetAddress> all = resolver.resolveAll(HOST).syncUninterruptibly().getNow();
                assertThat(one.getHostName()).isEqualTo(HOST);
                assertThat(one.getHostAddress()).startsWith("127.77.");
                assertThat(all).containsExactly(one);

                // An epoll client resolving through Netty's resolver (Lettuce's default) reaches the listener.
                Received received = new Received();
                DnsAddressResolverGroup resolvers = new DnsAddressResolverGroup(builder.copy());
                try {
                    Channel channel = client(received).resolver(resolvers).connect(HOST, 8080).syncUninterruptibly().channel();
                    try {
                        assertThat(roundTrip(channel, received, "via netty dns")).isEqualTo("via netty dns");
                        assertThat(listener.journal().connections()).hasSize(1);
                    } finally {
                        channel.close().syncUninterruptibly();
                    }
                } finally {
                    resolvers.close();
                }
            }
            assertThat(nameServer.queries).as("queries the name server got").hasValue(0);
        }
    }

    // ---- io_uring ------------------------------------------------------------------------------

    @Nested
    @DisplayName("io_uring: redirect, refuse and timeOutConnections")
    class IoUringTransport {

        private NettyEchoServer real;
        private EventLoopGroup uring;

        @BeforeEach
        void start() {
            IoUring.ensureAvailability(); // throws with the cause when io_uring does not load
            real = new NettyEchoServer();
            uring = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        }

        @AfterEach
        void stop() {
            uring.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            real.close();
        }

        private Bootstrap uringClient(Received received) {
            return new Bootstrap().group(uring).channel(IoUringSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000).handler(received);
        }

        @Test
        void redirectRoutesAnIoUringConnectionThroughTheListener() {
            Received received = new Received();
            try (FaultListener listener = FaultListener.inFrontOf(real.address()).name("io_uring").start();
                 AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":8080"), listener.address())) {
                Channel channel = uringClient(received).connect(HOST, 8080).syncUninterruptibly().channel();
                try {
                    assertThat(channel).isInstanceOf(IoUringSocketChannel.class);
                    assertThat(roundTrip(channel, received, "uring")).isEqualTo("uring");
                    assertThat(listener.journal().connections()).singleElement().satisfies(c -> assertThat(c.client().getPort())
                            .isEqualTo(((InetSocketAddress) channel.localAddress()).getPort()));
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getHostString()).isEqualTo(HOST);
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getPort()).isEqualTo(8080);
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
        }

        @Test
        void refuseFailsTheConnectAsAClosedPortDoes() throws Exception {
            int closedPort;
            try (java.net.ServerSocket reserved = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = reserved.getLocalPort();
            }
            // io_uring's refusal does not name the address (unlike epoll's annotated one)
            Throwable reference = connectFailure(uringClient(new Received()).connect("localhost", closedPort));
            assertThat(reference).hasMessage("io_uring connect(..) failed with error(-111): Connection refused");
            try (AgentRule rule = SocketAgent.refuse(Target.parse("localhost:" + real.port()))) {
                Throwable refused = connectFailure(uringClient(new Received()).connect("localhost", real.port()));
                assertThat(refused).isExactlyInstanceOf(reference.getClass())
                        .hasMessage(reference.getMessage().replace(":" + closedPort, ":" + real.port()));
            }
            assertThat(real.accepted).isEmpty();
        }

        @Test
        void anIdleConnectionFailsWithIoUringsOwnNativeIoException() {
            Received received = new Received();
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), AFTER)) {
                Channel channel = uringClient(received).connect("localhost", real.port()).syncUninterruptibly().channel();
                assertThat(roundTrip(channel, received, "alive")).isEqualTo("alive");
                await().atMost(Duration.ofSeconds(10)).until(() -> !received.exceptions.isEmpty());
                assertThat(received.exceptions.peek()).isExactlyInstanceOf(Errors.NativeIoException.class)
                        .hasMessage(Errors.newIOException("io_uring read", -110).getMessage());
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
                await().atMost(Duration.ofSeconds(10)).until(() -> real.accepted.stream().noneMatch(Channel::isActive));
                assertThat(received.exceptions).hasSize(1);
            }
        }

        @Test
        void leakTrackingSeesAnIoUringSocketClosed() {
            SocketTracker.Session session = SocketTracker.start();
            List<SocketTracker.Leak> leaks;
            Channel kept = null;
            try {
                Received received = new Received();
                Channel closed = uringClient(received).connect(real.address()).syncUninterruptibly().channel();
                assertThat(roundTrip(closed, received, "closed")).isEqualTo("closed");
                closed.close().syncUninterruptibly();
                kept = uringClient(new Received()).connect(real.address()).syncUninterruptibly().channel();
            } finally {
                leaks = session.stop();
            }
            try {
                InetSocketAddress keptLocal = (InetSocketAddress) kept.localAddress();
                assertThat(leaks).singleElement().satisfies(leak -> {
                    assertThat(leak.kind()).startsWith("Netty native socket");
                    assertThat(leak.local()).endsWith(":" + keptLocal.getPort());
                });
            } finally {
                kept.close().syncUninterruptibly();
            }
        }
    }

    // ---- gRPC's shaded copy of Netty -----------------------------------------------------------

    @Nested
    @DisplayName("gRPC's shaded Netty (io.grpc.netty.shaded.io.netty) epoll")
    class Shaded {

        private NettyEchoServer real;
        private io.grpc.netty.shaded.io.netty.channel.EventLoopGroup shadedGroup;

        @BeforeEach
        void start() {
            io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.ensureAvailability();
            real = new NettyEchoServer();
            shadedGroup = new io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup(1,
                    io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler.newFactory());
        }

        @AfterEach
        void stop() {
            shadedGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            real.close();
        }

        /** A shaded epoll client that collects what it reads and the exceptions that reach its pipeline. */
        private io.grpc.netty.shaded.io.netty.channel.Channel connect(StringBuffer text, Queue<Throwable> exceptions, String host, int port) {
            return new io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap().group(shadedGroup)
                    .channel(io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel.class)
                    .handler(new io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                            io.grpc.netty.shaded.io.netty.buffer.ByteBuf buf = (io.grpc.netty.shaded.io.netty.buffer.ByteBuf) msg;
                            text.append(buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                        }

                        @Override
                        public void exceptionCaught(io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                            exceptions.add(cause);
                        }
                    })
                    .connect(host, port).syncUninterruptibly().channel();
        }

        private static void send(io.grpc.netty.shaded.io.netty.channel.Channel channel, String text) {
            channel.writeAndFlush(io.grpc.netty.shaded.io.netty.buffer.Unpooled.copiedBuffer(text, StandardCharsets.UTF_8))
                    .syncUninterruptibly();
        }

        @Test
        void redirectReachesTheShadedEpollTransport() {
            StringBuffer text = new StringBuffer();
            Queue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
            try (FaultListener listener = FaultListener.inFrontOf(real.address()).name("shaded").start();
                 AgentRule rule = SocketAgent.redirect(Target.parse(HOST + ":443"), listener.address())) {
                io.grpc.netty.shaded.io.netty.channel.Channel channel = connect(text, exceptions, HOST, 443);
                try {
                    assertThat(channel.getClass().getName()).isEqualTo("io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel");
                    send(channel, "shaded");
                    await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().equals("shaded"));
                    assertThat(listener.journal().connections()).hasSize(1);
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getHostString()).isEqualTo(HOST);
                    assertThat(((InetSocketAddress) channel.remoteAddress()).getPort()).isEqualTo(443);
                } finally {
                    channel.close().syncUninterruptibly();
                }
            }
            assertThat(exceptions).isEmpty();
        }

        @Test
        void timeOutConnectionsReportsTheShadedNativeIoException() {
            StringBuffer text = new StringBuffer();
            Queue<Throwable> exceptions = new ConcurrentLinkedQueue<>();
            try (AgentRule rule = SocketAgent.timeOutConnections(Target.parse("localhost:" + real.port()), AFTER)) {
                io.grpc.netty.shaded.io.netty.channel.Channel channel = connect(text, exceptions, "localhost", real.port());
                send(channel, "alive");
                await().atMost(Duration.ofSeconds(10)).until(() -> text.toString().equals("alive"));
                await().atMost(Duration.ofSeconds(10)).until(() -> !exceptions.isEmpty());
                AtomicReference<Throwable> failure = new AtomicReference<>(exceptions.peek());
                assertThat(failure.get()).isExactlyInstanceOf(io.grpc.netty.shaded.io.netty.channel.unix.Errors.NativeIoException.class)
                        .hasMessageMatching("recv(Address)?\\(\\.\\.\\) failed with error\\(-110\\): Connection timed out");
                await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isOpen());
            }
        }
    }
}
