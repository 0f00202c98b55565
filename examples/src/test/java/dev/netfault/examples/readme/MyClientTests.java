package dev.netfault.examples.readme;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.junit.InjectReset;
import dev.netfault.junit.SlowAccept;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** The README's first example, compiled and run with the others. */
class MyClientTests {

    @Test
    @InjectReset                                        // the server aborts every connection with a real RST
    void readSeesTheReset(FaultListener server) throws Exception {
        try (Socket socket = new Socket(server.host(), server.port())) {
            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    @Test
    @SlowAccept(never = true, queueFull = true)         // the accept queue is full: the kernel drops SYNs
    void connectTimesOut(FaultListener server) throws Exception {
        try (Socket socket = new Socket()) {
            assertThatThrownBy(() -> socket.connect(server.address(), 300))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("Connect timed out");
        }
    }
}
