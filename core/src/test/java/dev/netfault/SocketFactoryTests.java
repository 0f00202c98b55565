package dev.netfault;

import static dev.netfault.Clients.PATIENCE_MILLIS;
import static dev.netfault.Clients.awaitAccepted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("socketFactory(): sockets that connect to the listener, whatever address they are given")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketFactoryTests {

    /** Does not resolve: the reserved top-level domain {@code .invalid} never does. */
    private static final String UNRESOLVABLE = "db.invalid";

    private FaultListener listener = FaultListener.standalone().name("factory").echo().start();

    @AfterEach
    void release() {
        listener.close();
    }

    private static String roundTrip(Socket socket, String message) throws IOException {
        socket.setSoTimeout(PATIENCE_MILLIS);
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
    }

    @Test
    void socketForAnUnresolvableHostConnectsThroughTheListenerAndReportsTheRequestedTarget() throws IOException {
        try (Socket socket = listener.socketFactory().createSocket(UNRESOLVABLE, 5432)) {
            assertThat(roundTrip(socket, "SELECT 1")).isEqualTo("SELECT 1");

            assertThat(socket.getRemoteSocketAddress()).isEqualTo(InetSocketAddress.createUnresolved(UNRESOLVABLE, 5432));
            assertThat(socket.getPort()).isEqualTo(5432);
            assertThat(socket.isConnected()).isTrue();
            awaitAccepted(listener.journal(), 1);
            assertThat(listener.journal().connection(1).orElseThrow().client().getPort()).isEqualTo(socket.getLocalPort());
        }
    }

    @Test
    void unconnectedSocketConnectsWithATimeoutAndReportsTheRequestedTarget() throws IOException {
        try (Socket socket = listener.socketFactory().createSocket()) {
            assertThat(socket.getRemoteSocketAddress()).isNull();
            assertThat(socket.getPort()).isZero();

            socket.connect(InetSocketAddress.createUnresolved(UNRESOLVABLE, 5432), 500);

            assertThat(roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(socket.getRemoteSocketAddress()).isEqualTo(InetSocketAddress.createUnresolved(UNRESOLVABLE, 5432));
        }
    }

    @Test
    void socketForAnAddressReportsThatAddress() throws IOException {
        InetAddress documentationAddress = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 10}); // TEST-NET-1: routes nowhere
        try (Socket socket = listener.socketFactory().createSocket(documentationAddress, 6379)) {
            assertThat(roundTrip(socket, "PING")).isEqualTo("PING");

            assertThat(socket.getInetAddress()).isEqualTo(documentationAddress);
            assertThat(socket.getPort()).isEqualTo(6379);
            assertThat(socket.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(documentationAddress, 6379));
        }
    }

    @Test
    void socketWithALocalAddressBindsItAndStillConnectsThroughTheListener() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (Socket socket = listener.socketFactory().createSocket(UNRESOLVABLE, 5432, loopback, 0)) {
            assertThat(roundTrip(socket, "ping")).isEqualTo("ping");
            assertThat(socket.getLocalAddress()).isEqualTo(loopback);
        }
    }

    @Test
    void aListenerWithoutUpstreamStillTakesTheConnectionThatWouldOtherwiseGoNowhere() throws IOException {
        listener.close();
        listener = FaultListener.standalone().name("factory-silent").start(); // no upstream, no echo: it only reads
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) 255, (byte) 255, 1}), 5432);
        long start = System.nanoTime();
        try (Socket timed = listener.socketFactory().createSocket(); Socket untimed = listener.socketFactory().createSocket("10.255.255.1", 5432)) {
            timed.connect(nowhere, 5_000);

            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("ms to connect both (a connect that went to 10.255.255.1 would wait its full 5 s)").isLessThan(2_000);
            assertThat(timed.isConnected()).isTrue();
            assertThat(untimed.isConnected()).isTrue();
            assertThat(timed.getRemoteSocketAddress()).isEqualTo(nowhere);
            timed.getOutputStream().write(new byte[] {1, 2, 3});
            awaitAccepted(listener.journal(), 2);
            assertThat(listener.journal().connections()).extracting(c -> c.client().getPort())
                    .containsExactlyInAnyOrder(timed.getLocalPort(), untimed.getLocalPort());
        }
    }

    @Test
    void aListenerWithAnUpstreamRelaysTheFactorysSocketsToIt() throws Exception {
        try (dev.netfault.testsupport.RecordingServer echo = dev.netfault.testsupport.RecordingServer.echo()) {
            listener.close();
            listener = FaultListener.inFrontOf(echo.address()).name("factory-relay").start();
            try (Socket socket = listener.socketFactory().createSocket("10.255.255.1", 5432)) {
                assertThat(roundTrip(socket, "SELECT 1")).isEqualTo("SELECT 1");
                assertThat(echo.connection(0).received()).asString(StandardCharsets.US_ASCII).isEqualTo("SELECT 1");
            }
        }
    }

    @Test
    void aClosedListenersFactoryIsRefusedAtOnce() throws IOException {
        listener.close();

        try (Socket socket = listener.socketFactory().createSocket()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> socket.connect(new InetSocketAddress("10.255.255.1", 5432), 5_000))
                    .isExactlyInstanceOf(java.net.ConnectException.class).hasMessage("Connection refused");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
        }
    }

    @Test
    void socketsSeeTheListenersFaults() throws IOException {
        listener.close();
        listener = FaultListener.standalone().name("factory").fault(Fault.reset()).start();
        SocketFactory factory = listener.socketFactory();

        try (Socket socket = factory.createSocket(UNRESOLVABLE, 5432)) {
            socket.setSoTimeout(PATIENCE_MILLIS);

            assertThatThrownBy(() -> socket.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
    }
}
