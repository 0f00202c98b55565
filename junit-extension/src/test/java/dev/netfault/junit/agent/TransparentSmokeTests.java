package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.InjectReset;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class TransparentSmokeTests {
    @Test
    @RefuseConnections("localhost:1")
    void refused() {
        assertThatThrownBy(() -> new Socket("localhost", 1)).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
    }

    @Test
    @InjectReset
    void aimed(NetFault netfault, FaultListener listener) throws Exception {
        try (ServerSocket real = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            netfault.aimAt("localhost:" + real.getLocalPort());
            try (Socket s = new Socket("localhost", real.getLocalPort())) {
                assertThat(s.getPort()).isEqualTo(real.getLocalPort());
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            }
            assertThat(listener.journal().accepted()).isEqualTo(1);
        }
    }

    @Test
    @EnableNetFault
    void acceptFails(NetFault netfault) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            netfault.failAccept(server.getLocalPort(), 1);
            assertThatThrownBy(server::accept).isInstanceOf(IOException.class).hasMessage("Too many open files");
            try (Socket a = server.accept()) {
                assertThat(a.getPort()).isEqualTo(c.getLocalPort());
            }
        }
    }
}
