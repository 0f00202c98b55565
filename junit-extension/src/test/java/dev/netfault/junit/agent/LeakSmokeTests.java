package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.junit.DetectSocketLeaks;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

class LeakSmokeTests {
    static class Fixture {
        @Test
        @DetectSocketLeaks
        void leaks() throws Exception {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            SocketChannel.open(server.getLocalSocketAddress());
        }

        @Test
        @DetectSocketLeaks
        void closesEverything() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                assertThat(accepted.isConnected()).isTrue();
            }
        }
    }

    @Test
    void reportsLeaks() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Fixture.class)).execute();
        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        String message = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage();
        System.out.println(message);
        assertThat(message).startsWith("@DetectSocketLeaks: leaks() left 3 sockets open:").contains("ServerSocket local /127.0.0.1:")
                .contains("SocketChannel local /127.0.0.1:").contains("LeakSmokeTests$Fixture.leaks(LeakSmokeTests.java:");
    }
}
