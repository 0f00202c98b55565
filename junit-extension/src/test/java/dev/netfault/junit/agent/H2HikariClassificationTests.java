package dev.netfault.junit.agent;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** H2's TCP client and HikariCP over it under real faults: what they threw, classified (printed for the README's table). */
@DisplayName("NetworkFailure.classify on what H2 and HikariCP threw")
class H2HikariClassificationTests {

    static H2Server h2;
    FaultListener listener;

    @BeforeAll
    static void start() throws Exception {
        h2 = H2Server.start();
    }

    @AfterAll
    static void stop() {
        h2.close();
    }

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close();
        }
    }

    static String url(int port) {
        return "jdbc:h2:tcp://localhost:" + port + "/mem:classify";
    }

    static int unusedPort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static Throwable queryThroughHikari(int port) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(port));
        config.setUsername("sa");
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            return catchThrowable(() -> {
                try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                    statement.executeQuery("SELECT 1").close();
                }
            });
        }
    }

    /** The classification netfault-assertj checks; on a mismatch its message shows the classifier's whole chain. */
    static void assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThatNetworkFailure(thrown).isOneOf(expected);
    }

    @Test
    void h2Refused() throws Exception {
        int port = unusedPort();
        assertClassified(catchThrowable(() -> DriverManager.getConnection(url(port), "sa", "").close()), CONNECTION_REFUSED);
    }

    @Test
    void h2Reset() {
        listener = FaultListener.inFrontOf(new InetSocketAddress("127.0.0.1", h2.port())).fault(Fault.reset()).start();
        assertClassified(catchThrowable(() -> DriverManager.getConnection(url(listener.address().getPort()), "sa", "").close()),
                CONNECTION_RESET);
    }

    /**
     * H2's client retries a refused connect for longer than the pool's 1 s connectionTimeout, so
     * HikariCP times out with no cause attached: all the classifier can say is CONNECT_TIMEOUT.
     */
    @Test
    void hikariOverARefusalTimesOutWithoutACause() throws Exception {
        Throwable thrown = queryThroughHikari(unusedPort());
        assertThat(thrown).hasMessageContaining("request timed out after").hasNoCause();
        assertClassified(thrown, NetworkFailure.CONNECT_TIMEOUT);
    }

    @Test
    void hikariReset() {
        listener = FaultListener.inFrontOf(new InetSocketAddress("127.0.0.1", h2.port())).fault(Fault.reset()).start();
        assertClassified(queryThroughHikari(listener.address().getPort()), CONNECTION_RESET);
    }
}
