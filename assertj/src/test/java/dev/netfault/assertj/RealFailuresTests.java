package dev.netfault.assertj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fixtures themselves: each produces the JDK's own exception, so the assertions are tested on real ones. */
@DisplayName("real failures on loopback")
class RealFailuresTests {

    @Test
    void eachFixtureProducesTheJdksOwnException() {
        assertThat(RealFailures.connectionReset()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(RealFailures.readTimeout()).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        assertThat(RealFailures.connectTimeout()).isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        assertThat(RealFailures.connectionRefused()).isExactlyInstanceOf(ConnectException.class).hasMessageStartingWith("Connection refused");
        assertThat(RealFailures.unknownHost()).isExactlyInstanceOf(UnknownHostException.class).hasMessageContaining("localhost");
        assertThat(RealFailures.connectionTimedOut()).isInstanceOf(SocketException.class).hasMessage("Connection timed out");
        assertThat(RealFailures.brokenPipe()).isInstanceOf(SocketException.class).hasMessageContaining("Broken pipe");
        assertThat(RealFailures.truncated()).isExactlyInstanceOf(EOFException.class);
    }
}
