package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTests {
    @Test
    void resetOnAccept() throws Exception {
        try (FaultListener l = FaultListener.standalone().fault(Fault.reset()).start();
             Socket s = new Socket(l.host(), l.port())) {
            s.setSoTimeout(3000);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
    }

    @Test
    void resetAfterBytesToClientThroughProxy() throws Exception {
        try (ServerSocket up = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket a = up.accept()) {
                    a.getOutputStream().write(new byte[1000]);
                    a.getInputStream().read();
                } catch (Exception e) { }
            });
            t.start();
            try (FaultListener l = FaultListener.inFrontOf((InetSocketAddress) up.getLocalSocketAddress())
                    .fault(Fault.reset().afterBytes(Direction.TO_CLIENT, 100)).start();
                 Socket s = new Socket(l.host(), l.port())) {
                s.setSoTimeout(3000);
                InputStream in = s.getInputStream();
                int total = 0;
                try {
                    while (in.read() >= 0) total++;
                } catch (SocketException e) {
                    assertThat(e).hasMessage("Connection reset");
                }
                assertThat(total).isEqualTo(100);
                System.out.println(l.journal().describe());
            }
        }
    }

    @Test
    void stallReadTimesOut() throws Exception {
        try (FaultListener l = FaultListener.standalone().fault(Fault.stall()).start();
             Socket s = new Socket(l.host(), l.port())) {
            s.setSoTimeout(300);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }

    @Test
    void queueFullConnectTimesOut() throws Exception {
        try (FaultListener l = FaultListener.standalone().neverAccept().backlog(1).fillAcceptQueue().start();
             Socket s = new Socket()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.connect(l.address(), 500)).isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
            System.out.println("connect timeout after ms " + (System.nanoTime() - t0) / 1e6);
        }
    }

    @Test
    void echoAndFin() throws Exception {
        try (FaultListener l = FaultListener.standalone().echo().fault(Fault.close().afterBytes(Direction.TO_CLIENT, 5)).start();
             Socket s = new Socket(l.host(), l.port())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("hello world".getBytes());
            byte[] b = s.getInputStream().readAllBytes();
            assertThat(new String(b)).isEqualTo("hello");
        }
    }
}
