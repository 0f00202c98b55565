package dev.netfault.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class SmokeExtensionTests {
    @Test
    @InjectReset
    void reset(FaultListener listener) throws Exception {
        try (Socket s = new Socket(listener.host(), listener.port())) {
            s.setSoTimeout(3000);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
    }

    @Test
    @SlowAccept(never = true, queueFull = true)
    void slow(FaultListener listener) throws Exception {
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(listener.address(), 300)).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    @LeakedServerSockets(LeakedServerSockets.Leak.PORT)
    void held(HeldPort port) throws Exception {
        assertThatThrownBy(() -> new ServerSocket(port.port(), 50, InetAddress.getLoopbackAddress()))
                .isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
        assertThatThrownBy(() -> new ServerSocket(port.port()))
                .isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
    }
}
