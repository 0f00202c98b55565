package dev.netfault.junit.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.FailResolution;
import dev.netfault.junit.NetFault;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lettuce, which resolves through Netty's own {@code DnsNameResolver} ({@code DnsAddressResolverGroup}) when
 * netty-resolver-dns is on the class path and connects over Netty's epoll transport when it is present, configured with a production host name that does not resolve: a
 * resolution failure reaches its resolver, and a redirect answers the name with its stand-in address and routes
 * the connection to a fake Redis server (a few RESP commands, enough for Lettuce's handshake).
 */
@DisplayName("Lettuce on Netty's DNS resolver")
@EnableNetFault
class LettuceTests {

    static final String CACHE = "cache.netfault.invalid";

    static FakeRedis redis;
    static ClientResources resources;

    @BeforeAll
    static void start() throws IOException {
        redis = new FakeRedis();
        resources = DefaultClientResources.create();
    }

    @AfterAll
    static void stop() throws Exception {
        resources.shutdown(0, 5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        redis.close();
    }

    static RedisClient client() {
        RedisClient client = RedisClient.create(resources, RedisURI.builder().withHost(CACHE).withPort(6379)
                .withTimeout(Duration.ofSeconds(5)).build());
        client.setOptions(io.lettuce.core.ClientOptions.builder()
                .socketOptions(io.lettuce.core.SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build()).build());
        return client;
    }

    static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    @Test
    void lettuceResolvesThroughNettysDnsResolverAndConnectsOverEpoll() {
        assertThat(resources.addressResolverGroup()).isInstanceOf(DnsAddressResolverGroup.class);
        assertThat(io.lettuce.core.resource.EpollProvider.isAvailable()).as("Lettuce picks Netty's epoll transport").isTrue();
    }

    @Test
    @FailResolution(CACHE)
    void failResolutionFailsLettucesConnectInItsResolver() {
        RedisClient client = client();
        try {
            Throwable failure = catchThrowable(client::connect);
            System.out.println("Lettuce under @FailResolution: " + chain(failure));
            // netfault answers in the resolver, before any query, as Netty words a name its server says does not exist
            assertThat(failure).isInstanceOf(RedisConnectionException.class)
                    .hasMessage("Unable to connect to " + CACHE + "/<unresolved>:6379");
            Throwable cause = chain(failure).get(chain(failure).size() - 1);
            assertThat(chain(failure)).anySatisfy(t -> assertThat(t).isInstanceOf(UnknownHostException.class)
                    .hasMessage("Failed to resolve '" + CACHE + "' [A(1), AAAA(28)] after 2 queries "));
            assertThat(cause).hasMessageContaining("NXDOMAIN");
        } finally {
            client.shutdown(0, 5, TimeUnit.SECONDS);
        }
        assertThat(redis.commands).isEmpty();
    }

    @Test
    void aRedirectedNameThatDoesNotResolveLetsLettuceConnectToItsStandIn(NetFault netfault) {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(redis.address()).name("redis"));
        AgentRule rule = netfault.redirect(CACHE + ":6379", listener);
        RedisClient client = client();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            assertThat(commands.ping()).isEqualTo("PONG");
            assertThat(commands.set("k", "v")).isEqualTo("OK");
            assertThat(commands.get("k")).isEqualTo("v");
            assertThat(connection.getResources()).isSameAs(resources);
            // Lettuce names its event loop threads after the transport
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).anyMatch(n -> n.startsWith("lettuce-epollEventLoop"))
                    .noneMatch(n -> n.startsWith("lettuce-nioEventLoop"));
        } finally {
            client.shutdown(0, 5, TimeUnit.SECONDS);
        }
        System.out.println("fake Redis saw: " + redis.commands + "; rule: " + rule.describeMatches());
        assertThat(listener.journal().accepted()).isEqualTo(1);
        assertThat(rule.describe()).contains(CACHE + " does not resolve: its lookups get 127.77.");
        assertThat(rule.matches()).isEqualTo(1);
        // Lettuce's handshake: HELLO 3 refused, so RESP2 with PING; then the test's commands
        assertThat(redis.commands).startsWith("HELLO 3", "PING").contains("SET k v", "GET k");
    }

    /** Just enough of RESP for Lettuce: HELLO is refused (so it speaks RESP2), PING, CLIENT, SET, GET; loopback only. */
    static final class FakeRedis implements AutoCloseable {
        final ServerSocket server;
        final Queue<String> commands = new ConcurrentLinkedQueue<>();
        final Map<String, String> data = new ConcurrentHashMap<>();
        final Queue<Socket> accepted = new ConcurrentLinkedQueue<>();

        FakeRedis() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        Thread serving = new Thread(() -> serve(socket), "fake-redis-connection");
                        serving.setDaemon(true);
                        serving.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-redis-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private void serve(Socket socket) {
            try (socket; InputStream in = new BufferedInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
                while (true) {
                    List<String> command = readCommand(in);
                    if (command == null) {
                        return;
                    }
                    String name = command.get(0).toUpperCase(java.util.Locale.ROOT);
                    commands.add(String.join(" ", command));
                    String reply = switch (name) {
                        case "HELLO" -> "-ERR unknown command 'HELLO'\r\n";
                        case "PING" -> "+PONG\r\n";
                        case "SET" -> {
                            data.put(command.get(1), command.get(2));
                            yield "+OK\r\n";
                        }
                        case "GET" -> {
                            String value = data.get(command.get(1));
                            yield value == null ? "$-1\r\n" : "$" + value.getBytes(UTF_8).length + "\r\n" + value + "\r\n";
                        }
                        default -> "+OK\r\n"; // CLIENT SETNAME / SETINFO, SELECT, ...
                    };
                    out.write(reply.getBytes(UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        /** {@return one RESP array of bulk strings, or null at the end of the stream} */
        private static List<String> readCommand(InputStream in) throws IOException {
            String header = readLine(in);
            if (header == null) {
                return null;
            }
            if (!header.startsWith("*")) {
                return List.of(header.split(" ")); // an inline command
            }
            int count = Integer.parseInt(header.substring(1));
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String length = readLine(in);
                if (length == null) {
                    return null;
                }
                byte[] bytes = in.readNBytes(Integer.parseInt(length.substring(1)) + 2);
                parts.add(new String(bytes, 0, bytes.length - 2, UTF_8));
            }
            return parts;
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    return new String(bytes, 0, Math.max(0, bytes.length - 1), UTF_8);
                }
                line.write(b);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }
}
