package dev.netfault.classify;

import static dev.netfault.NetworkFailure.BROKEN_PIPE;
import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECTION_TIMED_OUT;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.NONE;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.NetworkFailure.UNKNOWN_HOST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.Classification;
import dev.netfault.NetworkFailure;
import io.grpc.Status;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classifier's rules on constructed chains: every JDK message of DESIGN.md's table (the same on
 * JDK 17 and 25), and every client wrapper's shape, with fakes named as the real classes where the
 * client is not on core's test class path (classes are matched by simple name, so a nested fake
 * {@code ...$NativeIoException} is recognised as Netty's {@code Errors$NativeIoException}).
 */
@DisplayName("NetworkFailure.classify: the rules on constructed chains")
class ClassifierRulesTests {

    // Fakes with the real classes' simple names.
    static class NativeIoException extends IOException {
        NativeIoException(String message) {
            super(message);
        }
    }

    static class AnnotatedConnectException extends ConnectException {
        AnnotatedConnectException(String message) {
            super(message);
        }
    }

    static class ConnectTimeoutException extends InterruptedIOException {
        ConnectTimeoutException(String message) {
            super(message);
        }
    }

    static class HttpHostConnectException extends ConnectException {
        HttpHostConnectException(String message) {
            super(message);
        }
    }

    static class ConnectionClosedException extends IOException {
        ConnectionClosedException(String message) {
            super(message);
        }
    }

    static class NoHttpResponseException extends IOException {
        NoHttpResponseException(String message) {
            super(message);
        }
    }

    static class JedisConnectionException extends RuntimeException {
        JedisConnectionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static class RedisException extends RuntimeException {
        RedisException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static class RedisConnectionException extends RedisException {
        RedisConnectionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static class RedisCommandTimeoutException extends RedisException {
        RedisCommandTimeoutException(String message) {
            super(message, null);
        }
    }

    static class JdbcSQLNonTransientConnectionException extends SQLNonTransientConnectionException {
        JdbcSQLNonTransientConnectionException(String message, String state, int code, Throwable cause) {
            super(message, state, code, cause);
        }
    }

    static class PSQLException extends SQLException {
        PSQLException(String message, String state, Throwable cause) {
            super(message, state, cause);
        }
    }

    static class SomeWrapperException extends RuntimeException {
        SomeWrapperException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static <T extends Throwable> T causedBy(T t, Throwable cause) {
        t.initCause(cause);
        return t;
    }

    static Arguments row(String name, Throwable thrown, NetworkFailure expected, Throwable evidence) {
        return Arguments.of(name, thrown, expected, evidence);
    }

    static Stream<Arguments> jdk() {
        SocketException reset = new SocketException("Connection reset");
        IOException resetByPeer = new IOException("Connection reset by peer");
        SocketException resetByPeerSocket = new SocketException("Connection reset by peer");
        IOException pipe = new IOException("Broken pipe");
        SocketException pipeSocket = new SocketException("Broken pipe");
        ConnectException refused = new ConnectException("Connection refused");
        ConnectException untimed = new ConnectException("Connection timed out");
        SocketTimeoutException connectTimedOut = new SocketTimeoutException("Connect timed out");
        SocketTimeoutException readTimedOut = new SocketTimeoutException("Read timed out");
        SocketException timedOutSocket = new SocketException("Connection timed out");
        IOException timedOutChannel = new IOException("Connection timed out");
        UnknownHostException unknown = new UnknownHostException("nowhere.invalid: Name or service not known");
        EOFException eof = new EOFException();
        ClosedChannelException closed = new ClosedChannelException();
        ConnectException httpClientRefused = causedBy(new ConnectException(), closed);
        UnresolvedAddressException unresolved = new UnresolvedAddressException();
        HttpConnectTimeoutException httpConnect = causedBy(new HttpConnectTimeoutException("HTTP connect timed out"),
                new ConnectException("HTTP connect timed out"));
        HttpTimeoutException httpRequest = new HttpTimeoutException("request timed out");
        SocketException resetUnder = new SocketException("Connection reset");
        IOException headerParser = new IOException("HTTP/1.1 header parser received no bytes",
                new IOException("HTTP/1.1 header parser received no bytes", resetUnder));
        EOFException eofReached = new EOFException("EOF reached while reading");
        IOException headerParserEof = new IOException("HTTP/1.1 header parser received no bytes",
                new IOException("HTTP/1.1 header parser received no bytes", eofReached));
        SocketException resetUnderBody = new SocketException("Connection reset");
        IOException fixedLength = new IOException("fixed content-length: 100, bytes received: 10",
                new IOException("fixed content-length: 100, bytes received: 10", resetUnderBody));
        IOException fixedLengthAlone = new IOException("fixed content-length: 100, bytes received: 10");
        SocketException unexpectedEof = new SocketException("Unexpected end of file from server");
        IOException prematureEof = new IOException("Premature EOF");
        IOException errorWriting = new IOException("Error writing to server");
        ConnectException resetOnConnect = new ConnectException("Connection reset by peer");
        return Stream.of(
                row("Socket read after RST", reset, CONNECTION_RESET, reset),
                row("SocketChannel write after RST", resetByPeer, CONNECTION_RESET, resetByPeer),
                row("Socket write after RST", resetByPeerSocket, CONNECTION_RESET, resetByPeerSocket),
                row("SocketChannel second write", pipe, BROKEN_PIPE, pipe),
                row("Socket second write", pipeSocket, BROKEN_PIPE, pipeSocket),
                row("refused", refused, CONNECTION_REFUSED, refused),
                row("untimed connect ETIMEDOUT", untimed, CONNECT_TIMEOUT, untimed),
                row("connect(addr, timeout)", connectTimedOut, CONNECT_TIMEOUT, connectTimedOut),
                row("soTimeout", readTimedOut, READ_TIMEOUT, readTimedOut),
                row("ETIMEDOUT, Socket", timedOutSocket, CONNECTION_TIMED_OUT, timedOutSocket),
                row("ETIMEDOUT, SocketChannel", timedOutChannel, CONNECTION_TIMED_OUT, timedOutChannel),
                row("UnknownHostException", unknown, UNKNOWN_HOST, unknown),
                row("EOFException", eof, TRUNCATED, eof),
                row("HttpClient refused: ConnectException(null) <- ClosedChannelException", httpClientRefused, CONNECTION_REFUSED, httpClientRefused),
                row("HttpClient unresolved: ConnectException(null) <- UnresolvedAddressException",
                        causedBy(new ConnectException(), unresolved), UNKNOWN_HOST, unresolved),
                row("HttpClient connectTimeout", httpConnect, CONNECT_TIMEOUT, httpConnect),
                row("HttpClient request timeout", httpRequest, READ_TIMEOUT, httpRequest),
                row("HttpClient reset met by the connect", resetOnConnect, CONNECTION_RESET, resetOnConnect),
                row("HttpClient header parser <- reset", headerParser, CONNECTION_RESET, resetUnder),
                row("HttpClient header parser <- EOF", headerParserEof, TRUNCATED, eofReached),
                row("HttpClient body cut by a reset", fixedLength, CONNECTION_RESET, resetUnderBody),
                row("HttpClient body cut", fixedLengthAlone, TRUNCATED, fixedLengthAlone),
                row("HttpURLConnection no response", unexpectedEof, TRUNCATED, unexpectedEof),
                row("HttpURLConnection body cut", prematureEof, TRUNCATED, prematureEof),
                row("HttpURLConnection write swallowed", errorWriting, BROKEN_PIPE, errorWriting),
                row("wrapped in UncheckedIOException", new UncheckedIOException(reset), CONNECTION_RESET, reset));
    }

    static Stream<Arguments> clients() {
        NativeIoException nativeReset = new NativeIoException("recvAddress(..) failed with error(-104): Connection reset by peer");
        NativeIoException nativeTimedOut = new NativeIoException("recvAddress(..) failed with error(-110): Connection timed out");
        NativeIoException nativePipe = new NativeIoException("writevAddresses(..) failed with error(-32): Broken pipe");
        NativeIoException nativeBare = new NativeIoException("sendAddress(..) failed with error(-104)");
        AnnotatedConnectException nativeRefused = new AnnotatedConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: localhost/127.0.0.1:1");
        AnnotatedConnectException nativeConnectTimedOut = new AnnotatedConnectException(
                "finishConnect(..) failed with error(-110): Connection timed out: localhost/127.0.0.1:1");
        AnnotatedConnectException nioRefused = new AnnotatedConnectException("Connection refused: localhost/127.0.0.1:1");
        AnnotatedConnectException uringRefused = new AnnotatedConnectException("io_uring connect(..) failed with error(-111): Connection refused");
        io.netty.channel.ConnectTimeoutException nettyConnectTimeout =
                new io.netty.channel.ConnectTimeoutException("connection timed out after 500 ms: localhost/127.0.0.1:1");
        io.grpc.StatusRuntimeException grpcReset = Status.UNAVAILABLE.withDescription("io exception").withCause(nativeReset).asRuntimeException();
        io.grpc.StatusRuntimeException grpcClosed = Status.UNAVAILABLE.withDescription("Network closed for unknown reason").asRuntimeException();
        io.grpc.StatusException grpcDeadline = Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 2.9s. [remote_addr=localhost/127.0.0.1:1]").asException();
        io.grpc.StatusRuntimeException grpcWaiting = Status.DEADLINE_EXCEEDED
                .withDescription("deadline exceeded after 2.9s. [closed=[], open=[[buffered_nanos=3000, waiting_for_connection]]]").asRuntimeException();
        io.grpc.StatusRuntimeException grpcStillWaiting = Status.DEADLINE_EXCEEDED.withDescription("CallOptions deadline exceeded after 0.99s. "
                + "Name resolution delay 0.000 seconds. [closed=[], open=[[connecting_and_lb_delay=1001341968ns, was_still_waiting]]]").asRuntimeException();
        io.grpc.StatusRuntimeException grpcNegotiation = Status.UNAVAILABLE.withDescription("Connection closing while performing protocol "
                + "negotiation for [NettyClientHandler#0, WriteBufferingAndExceptionHandler#0, DefaultChannelPipeline$TailContext#0]").asRuntimeException();
        io.grpc.StatusRuntimeException grpcKeepalive = Status.UNAVAILABLE.withDescription("Keepalive failed. The connection is likely gone").asRuntimeException();
        SocketTimeoutException okTimeout = causedBy(new SocketTimeoutException("timeout"), new SocketException("Socket closed"));
        SocketTimeoutException okConnect = new SocketTimeoutException("connect timed out");
        EOFException okEof = new EOFException("\\n not found: limit=0 content=…");
        IOException okEnd = new IOException("unexpected end of stream on http://localhost:1/...", okEof);
        IOException okEndAlone = new IOException("unexpected end of stream on http://localhost:1/...");
        ConnectTimeoutException hcConnect = causedBy(new ConnectTimeoutException(
                "Connect to http://localhost:1 [localhost/127.0.0.1] failed: Connect timed out"), new SocketTimeoutException("Connect timed out"));
        ConnectException hcRefusedCause = new ConnectException("Connection refused");
        HttpHostConnectException hcRefused = causedBy(new HttpHostConnectException(
                "Connect to http://localhost:1 [localhost/127.0.0.1] failed: Connection refused"), hcRefusedCause);
        HttpHostConnectException hcRefusedAlone = new HttpHostConnectException(
                "Connect to http://localhost:1 [localhost/127.0.0.1] failed: Connection refused");
        ConnectionClosedException hcPremature = new ConnectionClosedException(
                "Premature end of Content-Length delimited message body (expected: 100; received: 10)");
        NoHttpResponseException hcNoResponse = new NoHttpResponseException("localhost:1 failed to respond");
        SocketTimeoutException hcAsync = new SocketTimeoutException("500000000 NANOSECONDS");
        SocketTimeoutException jedisCause = new SocketTimeoutException("Read timed out");
        JedisConnectionException jedisRead = new JedisConnectionException("java.net.SocketTimeoutException: Read timed out", jedisCause);
        JedisConnectionException jedisConnect = new JedisConnectionException("Failed to connect to any host resolved for DNS name.", null);
        ConnectException jedisSuppressed = new ConnectException("Connection refused");
        jedisConnect.addSuppressed(jedisSuppressed);
        JedisConnectionException jedisEnd = new JedisConnectionException("Unexpected end of stream.", null);
        UnknownHostException lettuceUnknown = new UnknownHostException("Failed to resolve 'cache.netfault.invalid' [A(1), AAAA(28)] after 2 queries ");
        RedisConnectionException lettuce = new RedisConnectionException("Unable to connect to cache.netfault.invalid/<unresolved>:6379",
                causedBy(lettuceUnknown, new IOException("Query failed with NXDOMAIN")));
        RedisConnectionException lettuceClosed = new RedisConnectionException("Connection closed prematurely", null);
        RedisConnectionException lettuceHandshake = new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:1", lettuceClosed);
        IllegalStateException lettuceGone = new IllegalStateException("RedisHandshakeHandler not registered");
        RedisConnectionException lettuceEarlyClose = new RedisConnectionException("Unable to connect to 127.0.0.1/<unresolved>:1", lettuceGone);
        RedisCommandTimeoutException lettuceTimeout = new RedisCommandTimeoutException("Command timed out after 1 second(s)");
        SocketException h2Cause = new SocketException("Connection reset");
        JdbcSQLNonTransientConnectionException h2Broken = new JdbcSQLNonTransientConnectionException(
                "Connection is broken: \"session closed\"", "90067", 90067, null);
        JdbcSQLNonTransientConnectionException h2WithCause = new JdbcSQLNonTransientConnectionException(
                "Connection is broken: \"java.net.SocketException: Connection reset\"", "90067", 90067, h2Cause);
        JdbcSQLNonTransientConnectionException h2Closed = new JdbcSQLNonTransientConnectionException(
                "Database is already closed", "90121", 90121, null);
        JdbcSQLNonTransientConnectionException h2Io = new JdbcSQLNonTransientConnectionException(
                "IO Exception: \"file\"", "90028", 90028, null);
        ConnectException pgCause = new ConnectException("Connection refused");
        PSQLException pgRefused = new PSQLException("Connection to localhost:1 refused. Check that the hostname and port are correct", "08001", pgCause);
        PSQLException pgConnect = new PSQLException("The connection attempt failed.", "08001", null);
        PSQLException pgIo = new PSQLException("An I/O error occurred while sending to the backend.", "08006", null);
        SocketTimeoutException pgReadCause = new SocketTimeoutException("Read timed out");
        PSQLException pgRead = new PSQLException("An I/O error occurred while sending to the backend.", "08006", pgReadCause);
        SQLTransientConnectionException hikariCaused = new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=0, active=0, idle=0, waiting=0)", "08001", h2Broken);
        SQLTransientConnectionException hikariAlone = new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=0, active=0, idle=0, waiting=0)");
        SQLTransientConnectionException hikariOld = new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 1000ms.");
        SocketException unknownWrapperCause = new SocketException("Connection reset");
        return Stream.of(
                row("Netty native reset", nativeReset, CONNECTION_RESET, nativeReset),
                row("Netty native ETIMEDOUT", nativeTimedOut, CONNECTION_TIMED_OUT, nativeTimedOut),
                row("Netty native EPIPE", nativePipe, BROKEN_PIPE, nativePipe),
                row("Netty native errno only", nativeBare, CONNECTION_RESET, nativeBare),
                row("Netty native refused", nativeRefused, CONNECTION_REFUSED, nativeRefused),
                row("Netty native connect ETIMEDOUT", nativeConnectTimedOut, CONNECT_TIMEOUT, nativeConnectTimedOut),
                row("Netty NIO refused", nioRefused, CONNECTION_REFUSED, nioRefused),
                row("io_uring refused", uringRefused, CONNECTION_REFUSED, uringRefused),
                row("Netty connect timeout", nettyConnectTimeout, CONNECT_TIMEOUT, nettyConnectTimeout),
                row("gRPC UNAVAILABLE <- native reset", grpcReset, CONNECTION_RESET, nativeReset),
                row("gRPC UNAVAILABLE, network closed", grpcClosed, TRUNCATED, grpcClosed),
                row("gRPC DEADLINE_EXCEEDED", grpcDeadline, READ_TIMEOUT, grpcDeadline),
                row("gRPC DEADLINE_EXCEEDED waiting for a connection", grpcWaiting, CONNECT_TIMEOUT, grpcWaiting),
                row("gRPC DEADLINE_EXCEEDED, was_still_waiting (gRPC 1.85)", grpcStillWaiting, CONNECT_TIMEOUT, grpcStillWaiting),
                row("gRPC UNAVAILABLE, negotiation cut short", grpcNegotiation, TRUNCATED, grpcNegotiation),
                row("gRPC UNAVAILABLE, keepalive failed", grpcKeepalive, CONNECTION_TIMED_OUT, grpcKeepalive),
                row("OkHttp timeout", okTimeout, READ_TIMEOUT, okTimeout),
                row("OkHttp connect timed out", okConnect, CONNECT_TIMEOUT, okConnect),
                row("OkHttp unexpected end of stream <- EOF", okEnd, TRUNCATED, okEof),
                row("OkHttp unexpected end of stream", okEndAlone, TRUNCATED, okEndAlone),
                row("HC5 connect timeout", hcConnect, CONNECT_TIMEOUT, hcConnect),
                row("HC5 refused <- ConnectException", hcRefused, CONNECTION_REFUSED, hcRefusedCause),
                row("HC5 refused, no cause", hcRefusedAlone, CONNECTION_REFUSED, hcRefusedAlone),
                row("HC5 premature end", hcPremature, TRUNCATED, hcPremature),
                row("HC5 no response", hcNoResponse, TRUNCATED, hcNoResponse),
                row("HC5 async socket timeout", hcAsync, READ_TIMEOUT, hcAsync),
                row("Jedis read timeout", jedisRead, READ_TIMEOUT, jedisCause),
                row("Jedis connect failure, suppressed", jedisConnect, CONNECTION_REFUSED, jedisSuppressed),
                row("Jedis end of stream", jedisEnd, TRUNCATED, jedisEnd),
                row("Lettuce unknown host", lettuce, UNKNOWN_HOST, lettuceUnknown),
                row("Lettuce handshake closed prematurely", lettuceHandshake, TRUNCATED, lettuceClosed),
                row("Lettuce closed before its handshake", lettuceEarlyClose, TRUNCATED, lettuceGone),
                row("Lettuce command timeout", lettuceTimeout, READ_TIMEOUT, lettuceTimeout),
                row("H2 90067 without cause", h2Broken, CONNECTION_RESET, h2Broken),
                row("H2 90067 with cause", h2WithCause, CONNECTION_RESET, h2Cause),
                row("H2 90121", h2Closed, CONNECTION_RESET, h2Closed),
                row("H2 90028 without evidence", h2Io, NONE, null),
                row("pgjdbc 08001 <- refused", pgRefused, CONNECTION_REFUSED, pgCause),
                row("pgjdbc 08001 alone", pgConnect, CONNECTION_REFUSED, pgConnect),
                row("pgjdbc 08006 alone", pgIo, CONNECTION_RESET, pgIo),
                row("pgjdbc 08006 <- read timeout", pgRead, READ_TIMEOUT, pgReadCause),
                row("HikariCP <- H2 90067", hikariCaused, CONNECTION_RESET, h2Broken),
                row("HikariCP pool timeout, nothing in use", hikariAlone, CONNECT_TIMEOUT, hikariAlone),
                row("HikariCP pool timeout, old message", hikariOld, CONNECT_TIMEOUT, hikariOld),
                row("an unknown wrapper", new SomeWrapperException("something failed", unknownWrapperCause), CONNECTION_RESET, unknownWrapperCause));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdk")
    @DisplayName("JDK exceptions (DESIGN.md's table, JDK 17 and 25)")
    void jdkExceptions(String name, Throwable thrown, NetworkFailure expected, Throwable evidence) {
        assertClassified(thrown, expected, evidence);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    @DisplayName("client wrappers")
    void clientWrappers(String name, Throwable thrown, NetworkFailure expected, Throwable evidence) {
        assertClassified(thrown, expected, evidence);
    }

    static void assertClassified(Throwable thrown, NetworkFailure expected, Throwable evidence) {
        Classification classification = NetworkFailure.classify(thrown);
        assertThat(classification.failure()).as(classification.describe()).isEqualTo(expected);
        assertThat(classification.evidence()).as(classification.describe()).isSameAs(evidence);
        assertThat(classification.chain()).first().isSameAs(thrown);
        assertThat(classification.reason()).isNotBlank().doesNotContain("\n");
    }

    @Nested
    @DisplayName("not network")
    class NotNetwork {

        @Test
        void nullIsNone() {
            Classification classification = NetworkFailure.classify(null);
            assertThat(classification.failure()).isEqualTo(NONE);
            assertThat(classification.evidence()).isNull();
            assertThat(classification.chain()).isEmpty();
        }

        @Test
        void ordinaryExceptionsAreNone() {
            assertThat(NetworkFailure.classify(new IllegalStateException("Connection reset")).failure()).isEqualTo(NONE);
            assertThat(NetworkFailure.classify(new AssertionError("Connection refused")).failure()).isEqualTo(NONE);
            assertThat(NetworkFailure.classify(new IOException("disk full")).failure()).isEqualTo(NONE);
            assertThat(NetworkFailure.classify(new SocketTimeoutException("Accept timed out")).reason()).contains("accept");
        }

        @Test
        void hikariExhaustedPoolIsNone() {
            Classification classification = NetworkFailure.classify(new SQLTransientConnectionException(
                    "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=10, active=10, idle=0, waiting=3)"));
            assertThat(classification.failure()).isEqualTo(NONE);
            assertThat(classification.reason()).contains("exhausted");
        }

        @Test
        void noRouteToHostHasNoKind() {
            assertThat(NetworkFailure.classify(new NoRouteToHostException("No route to host")).failure()).isEqualTo(NONE);
        }
    }

    @Nested
    @DisplayName("the walk and the precedence")
    class Walk {

        @Test
        void cyclesAndSharedThrowablesAreWalkedOnce() {
            IOException a = new IOException("a");
            SocketException b = new SocketException("Connection reset");
            a.initCause(b);
            b.addSuppressed(a);
            a.addSuppressed(b);
            Classification classification = NetworkFailure.classify(a);
            assertThat(classification.chain()).containsExactly(a, b);
            assertThat(classification.failure()).isEqualTo(CONNECTION_RESET);
        }

        @Test
        void chainIsCausesThenSuppressedInOrder() {
            IOException top = new IOException("top");
            IOException cause = new IOException("cause");
            IOException suppressed = new IOException("suppressed");
            top.initCause(cause);
            top.addSuppressed(suppressed);
            assertThat(NetworkFailure.classify(top).chain()).containsExactly(top, cause, suppressed);
        }

        @Test
        void rootMostJdkEvidenceWins() {
            SocketException root = new SocketException("Broken pipe");
            IOException middle = new IOException("Connection reset by peer", root);
            assertThat(NetworkFailure.classify(new SomeWrapperException("x", middle)).evidence()).isSameAs(root);
        }

        @Test
        void jdkEvidenceBeatsAWrappersMessage() {
            SocketTimeoutException cause = new SocketTimeoutException("Read timed out");
            JedisConnectionException wrapper = new JedisConnectionException("Connection refused (stale text)", cause);
            assertThat(NetworkFailure.classify(wrapper).failure()).isEqualTo(READ_TIMEOUT);
        }

        /** OkHttp 5 on JDK 25, observed: the write's reset is thrown, the read's later end of stream suppressed. */
        @Test
        void theThrownChainBeatsSuppressedEvidence() {
            SocketException reset = new SocketException("Connection reset by peer");
            EOFException eof = new EOFException("\\n not found: limit=0 content=…");
            reset.addSuppressed(new IOException("unexpected end of stream on http://localhost:1/...", eof));
            Classification classification = NetworkFailure.classify(reset);
            assertThat(classification.failure()).isEqualTo(CONNECTION_RESET);
            assertThat(classification.evidence()).isSameAs(reset);
        }

        @Test
        void aClientTimerBeatsDeeperJdkEvidence() {
            HttpTimeoutException timer = new HttpTimeoutException("request timed out");
            timer.initCause(new ClosedChannelException());
            timer.addSuppressed(new SocketException("Connection reset"));
            Classification classification = NetworkFailure.classify(timer);
            assertThat(classification.failure()).isEqualTo(READ_TIMEOUT);
            assertThat(classification.evidence()).isSameAs(timer);
        }

        @Test
        void describeShowsTheResultTheReasonAndTheChainWithTheEvidenceMarked() {
            SocketException reset = new SocketException("Connection reset");
            IOException top = new IOException("HTTP/1.1 header parser received no bytes", reset);
            String text = NetworkFailure.classify(top).describe();
            assertThat(text.lines()).containsExactly(
                    "CONNECTION_RESET",
                    "  reason: SocketException: Connection reset (the JDK's read after a reset)",
                    "  chain:",
                    "     0. java.io.IOException: HTTP/1.1 header parser received no bytes",
                    "  => 1. java.net.SocketException: Connection reset");
        }

        @Test
        void aVeryLongChainIsCutNotOverflowed() {
            Throwable t = new SocketException("Connection reset");
            for (int i = 0; i < 10_000; i++) {
                t = new IOException("level " + i, t);
            }
            Classification classification = NetworkFailure.classify(t);
            assertThat(classification.chain()).hasSize(256);
            assertThat(classification.failure()).isEqualTo(NONE);
        }
    }
}
