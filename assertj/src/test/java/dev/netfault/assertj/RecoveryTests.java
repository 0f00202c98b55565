package dev.netfault.assertj;

import static dev.netfault.assertj.NetFaultAssertions.assertThat;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.JournalEvent;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Break, heal, and assert with Awaitility that the client recovers. */
@DisplayName("recovery, with Awaitility")
class RecoveryTests {

    /** A tiny client: one echo round trip on a fresh connection. */
    private static String ping(InetSocketAddress address) throws IOException {
        try (Socket socket = Sockets.connect(address)) {
            socket.getOutputStream().write(Bytes.ascii("ping"));
            return new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aListenerDownForAWhileRefusesThenServesAgain() {
        try (FaultListener listener = FaultListener.standalone().echo().start()) {
            listener.downFor(Duration.ofSeconds(1));

            assertThatNetworkFailure(catchThrowable(() -> ping(listener.address()))).isConnectionRefused();

            AtomicReference<String> answer = new AtomicReference<>();
            await().untilAsserted(() -> assertThatNetworkFailure(catchThrowable(() -> answer.set(ping(listener.address()))))
                    .isNotANetworkFailure());
            assertThat(answer).hasValue("ping");
            assertThat(listener.journal()).hasEvent(JournalEvent.Type.LISTENER_DOWN).hasEvent(JournalEvent.Type.LISTENER_UP)
                    .hasAccepted(1);
        }
    }

    @Test
    void closingARefusingAgentRuleHealsTheClient() {
        try (EchoServer server = EchoServer.start()) {
            AgentRule refuse = SocketAgent.refuse(Target.port(server.port()));
            try {
                assertThatNetworkFailure(catchThrowable(() -> ping(server.address()))).isConnectionRefused();

                CompletableFuture<Void> heal = CompletableFuture.runAsync(refuse::close,
                        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));

                AtomicReference<String> answer = new AtomicReference<>();
                await().untilAsserted(() -> assertThatNetworkFailure(catchThrowable(() -> answer.set(ping(server.address()))))
                        .isNotANetworkFailure());
                assertThat(answer).hasValue("ping");
                assertThat(heal).isDone();
            } finally {
                refuse.close();
            }
        }
    }
}
