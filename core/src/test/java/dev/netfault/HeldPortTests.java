package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("HeldPort: a port held by a leaked listener")
class HeldPortTests {

    private final HeldPort held = HeldPort.hold();

    @AfterEach
    void release() {
        held.close();
    }

    private InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), held.port());
    }

    /** The bind must fail, so nothing ever listens on the wildcard address. */
    private InetSocketAddress wildcard() {
        return new InetSocketAddress(held.port());
    }

    @Test
    void holdsALoopbackPort() {
        assertThat(held.address()).isEqualTo(new InetSocketAddress("127.0.0.1", held.port()));
        assertThat(held.isHeld()).isTrue();
        assertThat(held).hasToString("HeldPort[" + held.address() + "]");
    }

    @Nested
    @DisplayName("every bind to the port fails with Address already in use")
    class BindFails {

        @Test
        void serverSocketOnLoopback() {
            assertThatThrownBy(() -> new ServerSocket(held.port(), 50, InetAddress.getLoopbackAddress()).close())
                    .isExactlyInstanceOf(BindException.class).hasMessage("Address already in use");
        }

        @Test
        void serverSocketOnTheWildcardAddress() {
            assertThatThrownBy(() -> new ServerSocket(held.port()).close())
                    .isExactlyInstanceOf(BindException.class).hasMessage("Address already in use");
        }

        @ParameterizedTest(name = "SO_REUSEADDR {0}")
        @ValueSource(booleans = {true, false})
        void serverSocketWithOrWithoutReuseAddress(boolean reuseAddress) throws IOException {
            for (InetSocketAddress address : new InetSocketAddress[] {loopback(), wildcard()}) {
                try (ServerSocket server = new ServerSocket()) {
                    server.setReuseAddress(reuseAddress);

                    assertThatThrownBy(() -> server.bind(address, 50))
                            .as("bind %s", address)
                            .isExactlyInstanceOf(BindException.class).hasMessage("Address already in use");
                }
            }
        }

        @ParameterizedTest(name = "SO_REUSEADDR {0}")
        @ValueSource(booleans = {true, false})
        void serverSocketChannelWithOrWithoutReuseAddress(boolean reuseAddress) throws IOException {
            for (InetSocketAddress address : new InetSocketAddress[] {loopback(), wildcard()}) {
                try (ServerSocketChannel server = ServerSocketChannel.open()) {
                    server.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);

                    assertThatThrownBy(() -> server.bind(address, 50))
                            .as("bind %s", address)
                            .isExactlyInstanceOf(BindException.class).hasMessage("Address already in use");
                }
            }
        }
    }

    @Test
    void afterCloseThePortBindsAgainAtOnce() throws IOException {
        held.close();

        assertThat(held.isHeld()).isFalse();
        assertThat(held).hasToString("HeldPort[" + held.address() + ", released]");
        try (ServerSocket server = new ServerSocket(held.port(), 50, InetAddress.getLoopbackAddress())) {
            assertThat(server.getLocalPort()).isEqualTo(held.port());
        }
    }

    @Test
    void closeIsIdempotent() {
        held.close();
        held.close();

        assertThat(held.isHeld()).isFalse();
    }
}
