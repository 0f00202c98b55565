package dev.netfault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server and channels of core's gRPC tests ({@link GrpcClassificationTests},
 * {@code agent.GrpcTests}): gRPC's default transport (grpc-netty-shaded), services of string
 * methods without code generation, a server on loopback and plaintext channels to
 * {@code localhost}.
 */
public final class GrpcFixture {

    /** Carries a request or response as its UTF-8 bytes. */
    public static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private GrpcFixture() {
    }

    /** {@return a unary method {@code service/method} of strings} */
    public static MethodDescriptor<String, String> unary(String service, String method) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    }

    /** {@return a server-streaming method {@code service/method} of strings} */
    public static MethodDescriptor<String, String> serverStreaming(String service, String method) {
        return unary(service, method).toBuilder().setType(MethodDescriptor.MethodType.SERVER_STREAMING).build();
    }

    /** {@return a started server of {@code service} on 127.0.0.1, on a port of the kernel's choice} */
    public static Server serve(ServerServiceDefinition service) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
    }

    /** {@return a plaintext channel to {@code localhost:port}, to be configured further and built} */
    public static NettyChannelBuilder channelTo(int port) {
        return NettyChannelBuilder.forAddress("localhost", port).usePlaintext();
    }

    /** Shuts the channel down now and waits up to 10 s for it to end; nothing if it is {@code null}. */
    public static void shutDown(ManagedChannel channel) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Shuts the server down now and waits up to 10 s for it to end. */
    public static void shutDown(Server server) throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * Asserts that a call failed with a gRPC status; {@return its failure as
     * "CODE: description <- class: message <- ..."}, each cause once
     */
    public static String describe(Throwable failure) {
        assertThat(failure).as("the call's failure").isInstanceOf(StatusRuntimeException.class);
        StringBuilder text = new StringBuilder(failure.getMessage());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure.getCause(); t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
            text.append(" <- ").append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        return text.toString();
    }
}
