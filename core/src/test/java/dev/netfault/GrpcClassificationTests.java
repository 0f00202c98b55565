package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECTION_TIMED_OUT;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.NetworkFailure.UNKNOWN_HOST;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * gRPC (grpc-netty-shaded, its default transport: shaded Netty epoll) under real faults, a reset (RST) and a close (FIN)
 * at each phase of a call told apart: what the call threw, with its cause chain, classified.
 */
@DisplayName("NetworkFailure.classify on what gRPC threw")
class GrpcClassificationTests {

    static final MethodDescriptor<String, String> ECHO = GrpcFixture.unary("netfault.Classify", "Echo");

    static final MethodDescriptor<String, String> HOLD = GrpcFixture.unary("netfault.Classify", "Hold");

    static final MethodDescriptor<String, String> STREAM = GrpcFixture.serverStreaming("netfault.Classify", "Stream");

    static Server server;
    static final List<StreamObserver<String>> held = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        SocketAgent.install();
        ServerServiceDefinition service = ServerServiceDefinition.builder("netfault.Classify")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> response) -> {
                    response.onNext("echo:" + request);
                    response.onCompleted();
                }))
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> response) -> held.add(response)))
                .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> response) -> {
                    response.onNext("first:" + request);
                    held.add(response);
                }))
                .build();
        server = GrpcFixture.serve(service);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        GrpcFixture.shutDown(server);
    }

    FaultListener listener;
    ManagedChannel channel;

    @AfterEach
    void close() throws InterruptedException {
        GrpcFixture.shutDown(channel);
        if (listener != null) {
            listener.close();
        }
        for (StreamObserver<String> response : held) {
            catchThrowable(response::onCompleted);
        }
        held.clear();
    }

    ManagedChannel channel(InetSocketAddress address) {
        channel = GrpcFixture.channelTo(address.getPort()).withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, 500).build();
        return channel;
    }

    InetSocketAddress inFront(Fault fault) {
        listener = FaultListener.inFrontOf(new InetSocketAddress("127.0.0.1", server.getPort())).name("grpc").fault(fault).start();
        return listener.address();
    }

    static String unary(ManagedChannel channel, MethodDescriptor<String, String> method) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(8, TimeUnit.SECONDS), "x");
    }

    static String unary(ManagedChannel channel, MethodDescriptor<String, String> method, Duration deadline) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS), "x");
    }

    /** Asserts the classification; {@return the failure as "CODE: description <- class: message <- ..."} */
    static String assertClassified(Throwable thrown, NetworkFailure expected) {
        String text = GrpcFixture.describe(thrown);
        Classification classification = NetworkFailure.classify(thrown);
        System.out.println("[classify] gRPC: " + text + " => " + classification.failure());
        assertThat(classification.failure()).as(classification.describe()).isEqualTo(expected);
        return text;
    }

    /** A unary call in flight: the server holds it (no response headers yet) until the test ends. */
    CompletableFuture<String> heldCall(ManagedChannel channel) {
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> unary(channel, HOLD));
        await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);
        return call;
    }

    static Throwable failureOf(CompletableFuture<String> call) {
        Throwable thrown = catchThrowable(() -> call.get(10, TimeUnit.SECONDS));
        assertThat(thrown).as("the held call failed").isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }

    /** A server-streaming call that received its response headers and first message; the server holds the rest. */
    static Iterator<String> midStream(ManagedChannel channel) {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, STREAM, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "x");
        assertThat(it.next()).isEqualTo("first:x");
        return it;
    }

    static final String RESET_ERRNO = "UNAVAILABLE: io exception <- io.grpc.netty.shaded.io.netty.channel.unix.Errors$NativeIoException: "
            + "recvAddress(..) failed with error(-104): Connection reset by peer";
    static final String CLOSED = "UNAVAILABLE: Network closed for unknown reason";

    @Nested
    @DisplayName("a reset (RST)")
    class Reset {

        /**
         * A reset of a connection gRPC is setting up: the errno as cause, or, when a write of its HTTP/2 preface met the
         * reset first (Netty fails the write's promise and closes the channel; nothing reaches the handler), a close
         * without a cause, worded as a negotiation cut short or a network closed for an unknown reason: then nothing
         * says reset, and the classifier says what gRPC saw (TRUNCATED).
         */
        @Test
        void beforeTheConnectionIsSetUp() {
            Throwable thrown = catchThrowable(() -> unary(channel(inFront(Fault.reset())), ECHO));
            if (thrown != null && thrown.getCause() == null) {
                assertThat(assertClassified(thrown, TRUNCATED)).matches(
                        "UNAVAILABLE: (Connection closing while performing protocol negotiation for .*|Network closed for unknown reason)");
            } else {
                assertThat(assertClassified(thrown, CONNECTION_RESET)).contains("failed with error(-104): Connection reset by peer");
            }
        }

        @Test
        void whileTheCallWaitsForItsResponse() {
            CompletableFuture<String> call = heldCall(channel(inFront(Fault.delay(Duration.ZERO))));
            listener.resetOpenConnections();
            assertThat(assertClassified(failureOf(call), CONNECTION_RESET)).isEqualTo(RESET_ERRNO);
        }

        /**
         * A reset mid-stream: usually read, with the errno as cause; but when gRPC's own write (a window update after the
         * first message) meets the reset first, Netty closes the channel without passing the error on, and gRPC reports
         * a close without a cause (seen once in CI on JDK 17): then nothing says reset, and the classifier says TRUNCATED.
         */
        @Test
        void midStream() {
            Iterator<String> stream = GrpcClassificationTests.midStream(channel(inFront(Fault.delay(Duration.ZERO))));
            listener.resetOpenConnections();
            Throwable thrown = catchThrowable(stream::next);
            if (thrown != null && thrown.getCause() == null) {
                assertThat(assertClassified(thrown, TRUNCATED)).isEqualTo(CLOSED);
            } else {
                assertThat(assertClassified(thrown, CONNECTION_RESET)).isEqualTo(RESET_ERRNO);
            }
        }
    }

    /** A FIN (the listener closes without linger): gRPC sees the connection end without an error, and says so without a cause. */
    @Nested
    @DisplayName("a close (FIN)")
    class Fin {

        @Test
        void beforeTheConnectionIsSetUp() {
            assertThat(assertClassified(catchThrowable(() -> unary(channel(inFront(Fault.close())), ECHO)), TRUNCATED)).isEqualTo(CLOSED);
        }

        @Test
        void whileTheCallWaitsForItsResponse() {
            Throwable thrown = catchThrowable(() -> unary(channel(inFront(Fault.close().after(CUT_AFTER))), HOLD));
            assertThat(held).as("the call reached the server before the cut").hasSize(1);
            assertThat(assertClassified(thrown, TRUNCATED)).isEqualTo(CLOSED);
        }

        @Test
        void midStream() {
            Iterator<String> stream = GrpcClassificationTests.midStream(channel(inFront(Fault.close().after(CUT_AFTER))));
            assertThat(assertClassified(catchThrowable(stream::next), TRUNCATED)).isEqualTo(CLOSED);
        }
    }

    /**
     * When a stall begins: after the channel's HTTP/2 setup and a first call, which take far longer in a JVM's first gRPC
     * channel (class loading) than later; the tests wait for the stall (the journal) before the call under it.
     */
    static final Duration STALL_AFTER = Duration.ofSeconds(2);

    /** When a time-triggered cut fires: long after the channel is set up and the call is made, well before the deadline. */
    static final Duration CUT_AFTER = Duration.ofMillis(1500);

    @Test
    void connectTimeout() {
        assertThat(assertClassified(catchThrowable(() -> unary(channel(fullQueue()), ECHO)), CONNECT_TIMEOUT))
                .startsWith("UNAVAILABLE: io exception <- io.grpc.netty.shaded.io.netty.channel.ConnectTimeoutException: connection timed out after 500 ms: localhost/127.0.0.1:");
    }

    /** The deadline passes while the call still waits for a connection (the connect timeout is longer): gRPC says {@code was_still_waiting}. */
    @Test
    void deadlineWhileConnecting() {
        channel = GrpcFixture.channelTo(fullQueue().getPort()).build();
        assertThat(assertClassified(catchThrowable(() -> unary(channel, ECHO, Duration.ofSeconds(1))), CONNECT_TIMEOUT))
                .startsWith("DEADLINE_EXCEEDED: CallOptions deadline exceeded after").contains("was_still_waiting");
    }

    /** A peer that accepts and then says nothing: gRPC's HTTP/2 setup never finishes, so the call still waits for a connection. */
    @Test
    void stallBeforeTheConnectionIsSetUp() {
        assertThat(assertClassified(catchThrowable(() -> unary(channel(inFront(Fault.stall())), ECHO, Duration.ofSeconds(1))), CONNECT_TIMEOUT))
                .startsWith("DEADLINE_EXCEEDED: CallOptions deadline exceeded after").contains("was_still_waiting");
    }

    /** The channel is set up and has answered; then the peer goes silent: the next call's deadline passes with its stream open. */
    @Test
    void stallOfAnEstablishedConnection() {
        ManagedChannel ready = channel(inFront(Fault.stall().after(STALL_AFTER)));
        assertThat(unary(ready, ECHO)).as("the channel answered before the stall").isEqualTo("echo:x");
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.journal().faultsFired() == 1);
        assertThat(assertClassified(catchThrowable(() -> unary(ready, ECHO, Duration.ofSeconds(1))), READ_TIMEOUT))
                .startsWith("DEADLINE_EXCEEDED: CallOptions deadline exceeded after").contains("remote_addr=localhost/127.0.0.1:")
                .doesNotContain("was_still_waiting");
    }

    /**
     * gRPC's keepalive (its shortest interval is 10 s) on a connection whose peer went silent while a call waits: the ping is
     * not answered within keepAliveTimeout, gRPC closes the transport and fails the call.
     */
    @Test
    void keepaliveOfAStalledConnection() {
        channel = GrpcFixture.channelTo(inFront(Fault.stall().after(STALL_AFTER)).getPort())
                .keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(500, TimeUnit.MILLISECONDS).build();
        assertThat(unary(channel, ECHO)).as("the channel answered before the stall").isEqualTo("echo:x");
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.journal().faultsFired() == 1);
        Throwable thrown = catchThrowable(() -> unary(channel, HOLD, Duration.ofSeconds(30)));
        assertThat(assertClassified(thrown, CONNECTION_TIMED_OUT)).isEqualTo("UNAVAILABLE: Keepalive failed. The connection is likely gone");
    }

    @Test
    void refused() throws Exception {
        assertThat(assertClassified(catchThrowable(() -> unary(channel(Clients.unusedAddress()), ECHO)), CONNECTION_REFUSED))
                .contains("AnnotatedConnectException: finishConnect(..) failed with error(-111): Connection refused");
    }

    @Test
    void unknownHost() {
        try (AgentRule rule = SocketAgent.failResolution("grpc.netfault.invalid")) {
            channel = NettyChannelBuilder.forAddress("grpc.netfault.invalid", 443).usePlaintext().build();
            assertThat(assertClassified(catchThrowable(() -> unary(channel, ECHO)), UNKNOWN_HOST))
                    .startsWith("UNAVAILABLE: Unable to resolve host grpc.netfault.invalid <- java.net.UnknownHostException: grpc.netfault.invalid");
        }
    }

    InetSocketAddress fullQueue() {
        listener = FaultListener.standalone().name("grpc-full").neverAccept().backlog(1).fillAcceptQueue().start();
        return listener.address();
    }
}
