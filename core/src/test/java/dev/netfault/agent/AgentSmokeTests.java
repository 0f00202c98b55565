package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentSmokeTests {
    @Test
    void redirectAndRefuse() throws Exception {
        long t0 = System.nanoTime();
        SocketAgent.install();
        System.out.println("install ms " + (System.nanoTime() - t0) / 1e6);
        try (ServerSocket real = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             FaultListener l = FaultListener.inFrontOf((InetSocketAddress) real.getLocalSocketAddress()).fault(Fault.reset()).start();
             AgentRule r = SocketAgent.redirect(Target.parse("localhost:" + real.getLocalPort()), l.address());
             Socket s = new Socket("localhost", real.getLocalPort())) {
            assertThat(s.getPort()).isEqualTo(real.getLocalPort());
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
        try (AgentRule r = SocketAgent.refuse(Target.parse("svc.test:81"))) {
            assertThatThrownBy(() -> new Socket(InetAddress.getByAddress("svc.test", new byte[] {127, 0, 0, 1}), 81))
                .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        }
        try (AgentRule r = SocketAgent.failResolution("db.example.com")) {
            assertThatThrownBy(() -> InetAddress.getByName("db.example.com")).isInstanceOf(UnknownHostException.class).hasMessage("db.example.com: Name or service not known");
            assertThatThrownBy(() -> new Socket("db.example.com", 80)).isInstanceOf(UnknownHostException.class).hasMessage("db.example.com");
        }
    }

    @Test
    void timedOut() throws Exception {
        try (ServerSocket real = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentRule r = SocketAgent.timeOutConnections(Target.port(real.getLocalPort()), Duration.ofMillis(300));
             Socket s = new Socket(InetAddress.getLoopbackAddress(), real.getLocalPort())) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection timed out");
            System.out.println("timed out after ms " + (System.nanoTime() - t0) / 1e6);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThatThrownBy(() -> s.getOutputStream().write(1)).isInstanceOf(SocketException.class).hasMessage("Broken pipe");
        }
    }

    @Test
    void acceptFails() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentRule r = SocketAgent.failAccept(server.getLocalPort(), 2);
             Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertThatThrownBy(server::accept).isInstanceOf(IOException.class).hasMessage("Too many open files");
            assertThatThrownBy(server::accept).isInstanceOf(IOException.class).hasMessage("Too many open files");
            try (Socket a = server.accept()) {
                assertThat(a.getPort()).isEqualTo(c.getLocalPort());
            }
        }
    }
}
