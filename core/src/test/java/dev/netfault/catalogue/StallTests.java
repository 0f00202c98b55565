package dev.netfault.catalogue;

import static dev.netfault.testsupport.Sockets.connect;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Fault.stall(): a hung peer")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StallTests {

    private final Owned owned = new Owned();

    @AfterEach
    void release() throws Exception {
        owned.close();
    }

    @Test
    void onAcceptTheReadTimesOutAndTheSocketStaysUsable() throws IOException {
        FaultListener listener = owned.echo(Fault.stall());
        try (Socket socket = connect(listener.address())) {
            socket.getOutputStream().write("ping".getBytes(US_ASCII));
            socket.setSoTimeout(300);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            socket.getOutputStream().write("still writable".getBytes(US_ASCII));
        }
    }

    @Test
    void afterNBytesTowardsTheClientItReadsExactlyThoseThenTimesOut() throws IOException {
        byte[] data = Bytes.data(10_000);
        FaultListener listener = owned.inFrontOf(RecordingServer.sending(data), Fault.stall().afterBytes(Direction.TO_CLIENT, 100));
        try (Socket socket = connect(listener.address())) {
            InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(100)).isEqualTo(Arrays.copyOf(data, 100));
            socket.setSoTimeout(300);
            assertThatThrownBy(in::read).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
    }
}
