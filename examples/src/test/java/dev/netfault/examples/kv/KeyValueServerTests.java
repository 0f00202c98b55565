package dev.netfault.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.netfault.HeldPort;
import dev.netfault.junit.LeakedServerSockets;
import dev.netfault.junit.LeakedServerSockets.Leak;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

@Order(3)
@DisplayName("KeyValueServer: a TCP server application, under network faults")
class KeyValueServerTests {

    KeyValueServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Nested
    @Order(1)
    @DisplayName("@LeakedServerSockets(Leak.PORT): a leaked listener holds the configured port")
    class WhenThePortIsTaken {

        @Test
        @LeakedServerSockets(Leak.PORT)
        void reportsThatThePortIsInUse(HeldPort port, TestReporter story) {
            server = new KeyValueServer(port.port());

            ServerStartException e = catchThrowableOfType(ServerStartException.class, server::start);

            assertThat(e).hasMessage("key-value server cannot listen on 127.0.0.1:" + port.port()
                    + ": the port is already in use. Stop the process that holds it, or configure another port.");
            assertThat(e.getCause()).isExactlyInstanceOf(BindException.class).hasMessage("Address already in use");
            story.publishEntry("port " + port.port() + " was held by a leaked listener; start() failed with: " + e.getMessage()
                    + " (caused by " + e.getCause() + ")");
        }

        @Test
        @LeakedServerSockets(Leak.PORT)
        void startsOnThatPortOnceItIsReleased(HeldPort port, TestReporter story) throws IOException {
            assertThat(catchThrowableOfType(ServerStartException.class, new KeyValueServer(port.port())::start)).isNotNull();
            port.close(); // the leaking process went away

            server = new KeyValueServer(port.port()).start();

            assertThat(server.port()).isEqualTo(port.port());
            assertThat(request(server.port(), "SET colour blue")).isEqualTo("OK");
            story.publishEntry("after the port was released, the server started on " + server.port() + " and answered OK");
        }
    }

    @Nested
    @Order(2)
    @DisplayName("clients that reset their connections (SO_LINGER 0: a real RST)")
    class WhenClientsReset {

        @Test
        void keepsServingOtherClientsAfterClientsResetMidCommand(TestReporter story) throws IOException {
            server = new KeyValueServer(0).start();
            assertThat(request(server.port(), "SET colour blue")).isEqualTo("OK");

            for (int i = 0; i < 5; i++) {
                resetMidCommand(server.port());
            }

            // The server saw each reset on its own connection (SocketException: Connection reset)...
            await().atMost(Duration.ofSeconds(5)).until(server::connectionsBroken, broken -> broken == 5);
            // ...and its accept loop and its data are intact.
            assertThat(request(server.port(), "GET colour")).isEqualTo("VALUE blue");
            assertThat(server.connectionsAccepted()).isEqualTo(7);
            story.publishEntry("5 clients sent half a command and reset; the server counted 5 broken connections"
                    + " and still answered the next client: VALUE blue");
        }
    }

    /** A client that sends half a command, then aborts the connection with a RST. */
    private static void resetMidCommand(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.getOutputStream().write("SET colo".getBytes(StandardCharsets.UTF_8));
        socket.setSoLinger(true, 0); // close() now sends a RST instead of a FIN
        socket.close();
    }

    /** Sends one command on a new connection and returns the server's answer. */
    private static String request(int port, String command) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\nQUIT\n").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            return in.readLine();
        }
    }
}
