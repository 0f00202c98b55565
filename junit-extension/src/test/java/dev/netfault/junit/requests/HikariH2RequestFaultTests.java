package dev.netfault.junit.requests;

import static dev.netfault.junit.requests.Pooled.connectionsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Requests;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.h2.jdbc.JdbcSQLNonTransientConnectionException;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.netfault.testsupport.Waiting;

/**
 * A HikariCP pool of one connection over H2's TCP protocol, which takes turns like HTTP: a fresh
 * connection takes {@value #HANDSHAKE} requests to open and set up, each query two (prepare, execute).
 * HikariCP hands out a connection used in the last 500 ms without checking it (its alive-bypass
 * window), and checks one idle for longer with {@code isValid}, a request of its own. H2 reports a
 * broken connection with SQLState 90067, which HikariCP does not take for a dead connection: it stays
 * in the pool until its next check. Measured the same on JDK 17 and 25.
 */
@DisplayName("HikariCP over H2's TCP server under faults per request")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HikariH2RequestFaultTests {

    /** The requests of opening a connection (10) and of the first query on it (2). */
    static final int HANDSHAKE = 10;
    static final int WARM = HANDSHAKE + 2;
    /** HikariCP's alive-bypass window is 500 ms: the race below it reaches the application, above it HikariCP's own check. */
    static final Duration SHORT_IDLE_FAULT = Duration.ofMillis(200);
    static final Duration SHORT_PAUSE = Duration.ofMillis(300);
    static final Duration LONG_PAUSE = Duration.ofMillis(800);

    static Server h2;
    static Connection keeper;
    FaultListener listener;
    HikariDataSource pool;

    @BeforeAll
    static void startDatabase() throws SQLException {
        System.setProperty("h2.bindAddress", "127.0.0.1");
        h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        keeper = DriverManager.getConnection("jdbc:h2:mem:requests", "sa", "");
    }

    @AfterAll
    static void stopDatabase() throws SQLException {
        keeper.close();
        h2.stop();
    }

    @AfterEach
    void release() {
        if (pool != null) {
            pool.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    private void poolBehind(Fault fault) {
        listener = FaultListener.inFrontOf(new InetSocketAddress("127.0.0.1", h2.getPort())).name("h2").fault(fault).resetConnectionsOnClose().start();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:tcp://localhost:" + listener.port() + "/mem:requests");
        config.setUsername("sa");
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(config);
    }

    private int query() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 42")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void warm() throws SQLException {
        assertThat(query()).isEqualTo(42);
        assertThat(listener.journal().exchanges()).as("opening a connection and one query").hasSize(WARM);
    }

    /** The query on the broken connection, and the next one at once: the pool handed out the same, dead, connection. */
    private void assertBrokenThenStillPooled() {
        assertThatThrownBy(this::query).isExactlyInstanceOf(JdbcSQLNonTransientConnectionException.class)
                .hasMessageStartingWith("Connection is broken: \"session closed\"")
                .extracting(t -> ((SQLException) t).getSQLState()).as("not an 08 state: HikariCP keeps the connection").isEqualTo("90067");
        long failed = System.nanoTime();
        Throwable next = org.assertj.core.api.Assertions.catchThrowable(this::query);
        if (Duration.ofNanos(System.nanoTime() - failed).compareTo(Duration.ofMillis(400)) < 0) {
            assertThat(next).as("within the alive-bypass window the pool hands out the dead connection again")
                    .isExactlyInstanceOf(JdbcSQLNonTransientConnectionException.class).hasMessageStartingWith("Database is already closed");
        }
        // Each use within 500 ms of the last skips HikariCP's check, so a busy pool would keep the dead connection:
        // poll more slowly than that.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(700)).ignoreExceptions().until(() -> query() == 42);
        assertThat(listener.journal().accepted()).as("replaced once HikariCP checked it").isEqualTo(2);
    }

    @Test
    void theNthRequestResetReachesTheApplicationAndThePoolKeepsTheDeadConnectionUntilItsNextCheck() throws Exception {
        poolBehind(Fault.reset().onRequest(Requests.nth(WARM + 2))); // the second query's execute
        warm();
        assertBrokenThenStillPooled();
    }

    @Test
    void failTwiceThenRecoverThePoolRetriesOpeningAConnectionSilently() throws Exception {
        poolBehind(Fault.reset().onRequest(Requests.first(2)));
        assertThat(query()).as("the application never sees the two failed handshakes").isEqualTo(42);
        assertThat(listener.journal().exchanges()).extracting(Exchange::connection, e -> !e.faults().isEmpty())
                .startsWith(org.assertj.core.groups.Tuple.tuple(1L, true), org.assertj.core.groups.Tuple.tuple(2L, true),
                        org.assertj.core.groups.Tuple.tuple(3L, false));
        assertThat(listener.journal().accepted()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FIN", "RST"})
    void theStaleKeepAliveRaceWithinTheAliveBypassWindowReachesTheApplication(String closure) throws Exception {
        poolBehind((closure.equals("FIN") ? Fault.close() : Fault.reset()).onRequestAfterIdle(SHORT_IDLE_FAULT));
        warm();
        Waiting.quietFor(SHORT_PAUSE, listener.journal()::totalBytes); // idle longer than the fault's 200 ms, shorter than HikariCP's 500 ms
        assertBrokenThenStillPooled();
        assertThat(listener.journal().request(WARM + 1)).hasValueSatisfying(e -> assertThat(e.faults()).isNotEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FIN", "RST"})
    void theStaleKeepAliveRaceBeyondTheAliveBypassWindowHitsHikarisCheckWhichReplacesTheConnectionSilently(String closure) throws Exception {
        poolBehind((closure.equals("FIN") ? Fault.close() : Fault.reset()).onRequestAfterIdle(Pooled.IDLE_FAULT));
        warm();
        Waiting.quietFor(LONG_PAUSE, listener.journal()::totalBytes); // idle longer than HikariCP's 500 ms: it checks the connection first
        assertThat(query()).isEqualTo(42);
        assertThat(listener.journal().request(WARM + 1)).as("HikariCP's check, lost").hasValueSatisfying(e -> {
            assertThat(e.connection()).isEqualTo(1);
            assertThat(e.faults()).isNotEmpty();
        });
        assertThat(connectionsOf(listener).subList(WARM + 1, connectionsOf(listener).size())).as("everything after it on a new connection")
                .isNotEmpty().containsOnly(2L);
    }
}
