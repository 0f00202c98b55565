package dev.netfault.junit.catalogue;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.Latency;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.support.Clients;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import dev.netfault.testsupport.Waiting;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Break now, heal later: faults changed while the test runs, and recovery asserted with Awaitility. */
@DisplayName("faults changed during a test")
@EnableNetFault
class FaultsDuringATestTests {

    private RecordingServer peer;

    @BeforeEach
    void startTheRealServer() {
        peer = RecordingServer.echo();
    }

    @AfterEach
    void stopIt() {
        peer.close();
    }

    /** The application's call: one connection, one echo. */
    private static String call(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1_000);
            socket.setSoTimeout((int) Sockets.PATIENCE.toMillis());
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            return new String(socket.getInputStream().readNBytes(4), US_ASCII);
        }
    }

    @Test
    void downForTwoSecondsBreaksNowAndTheApplicationRecoversAfterwards(NetFault netfault) throws IOException {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(peer.address()).name("inventory"));
        assertThat(call(listener.address())).isEqualTo("ping");

        long start = System.nanoTime();
        listener.downFor(Duration.ofSeconds(2));
        assertThatThrownBy(() -> call(listener.address())).isExactlyInstanceOf(ConnectException.class).hasMessage("Connection refused");

        Waiting.await().pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> call(listener.address()).equals("ping"));
        assertThat(Clients.since(start).toMillis()).isBetween(2_000L, 10_000L);
    }

    @Test
    void anAddedFaultBreaksNewConnectionsOnlyAndClearingItHeals(NetFault netfault) throws IOException {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(peer.address()).name("added"));
        try (Socket open = Sockets.connect(listener.address())) {
            // A fault applies to connections the listener accepts afterwards: a completed connect is not
            // yet accepted, so wait until this one has been (its first answer proves it).
            open.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(new String(open.getInputStream().readNBytes(4), US_ASCII)).isEqualTo("ping");
            listener.addFault(Fault.reset());
            assertThatThrownBy(() -> call(listener.address())).isInstanceOf(SocketException.class).hasMessageStartingWith("Connection reset");

            open.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(new String(open.getInputStream().readNBytes(4), US_ASCII)).as("the connection open before").isEqualTo("ping");

            listener.clearFaults();
            assertThat(call(listener.address())).isEqualTo("ping");
        }
    }

    @Test
    void resetOpenConnectionsBreaksAClientBlockedInItsRead(NetFault netfault) throws Exception {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(peer.address()).name("break-now"));
        try (Socket socket = Sockets.connect(listener.address())) {
            CompletableFuture<Sockets.Received> read = CompletableFuture.supplyAsync(() -> Sockets.readUntilEnd(socket));
            Waiting.await().until(() -> listener.journal().connection(1).flatMap(c -> c.upstreamConnected()).isPresent());

            listener.resetOpenConnections();
            assertThat(read.get(5, TimeUnit.SECONDS).failure()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
        assertThat(listener.journal().connection(1).orElseThrow().listenerClosure()).isEqualTo(Closure.RST);
        assertThat(call(listener.address())).isEqualTo("ping");
    }

    @Test
    @Latency(600)
    void clearingAnAnnotationsFaultHealsTheNextConnections(FaultListener listener) throws IOException {
        listener.proxyTo(peer.address());
        long slow = System.nanoTime();
        assertThat(call(listener.address())).isEqualTo("ping");
        assertThat(Clients.since(slow).toMillis()).isGreaterThanOrEqualTo(1_200);

        listener.clearFaults();
        long fast = System.nanoTime();
        assertThat(call(listener.address())).isEqualTo("ping");
        assertThat(Clients.since(fast).toMillis()).isLessThan(600);
    }
}
