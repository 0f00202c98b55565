package dev.netfault.junit.classify;

import static dev.netfault.NetworkFailure.CONNECTION_REFUSED;
import static dev.netfault.NetworkFailure.CONNECTION_RESET;
import static dev.netfault.NetworkFailure.CONNECT_TIMEOUT;
import static dev.netfault.NetworkFailure.READ_TIMEOUT;
import static dev.netfault.NetworkFailure.TRUNCATED;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * pgjdbc 42.7: its connect-phase failures provoked for real (no PostgreSQL server is needed to be refused, reset, cut
 * or kept waiting during the startup message); a connection that breaks in use needs a server, so that one is
 * constructed as pgjdbc builds it, from its own exception class and SQLState.
 */
@DisplayName("NetworkFailure.classify on what pgjdbc threw")
class PgJdbcClassificationTests {

    FaultListener listener;

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** connectTimeout and socketTimeout are in seconds in pgjdbc: 1 s each. */
    static void connect(int port) throws SQLException {
        DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/app?connectTimeout=1&socketTimeout=1&user=app&password=x").close();
    }

    /** {@return the failure as "class [SQLState]: message <- class: message ...", after asserting its classification} */
    static String assertClassified(Throwable thrown, NetworkFailure expected) {
        assertThat(thrown).as("pgjdbc failed").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            text.append(text.length() == 0 ? "" : " <- ").append(t.getClass().getName())
                    .append(t instanceof SQLException sql ? " [" + sql.getSQLState() + "]" : "").append(": ").append(t.getMessage());
        }
        System.out.println("[classify] pgjdbc: " + text + " => " + NetworkFailure.classify(thrown).failure());
        assertThatNetworkFailure(thrown).isOneOf(expected);
        return text.toString();
    }

    @Test
    void refused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int nothing = port;
        assertThat(assertClassified(catchThrowable(() -> connect(nothing)), CONNECTION_REFUSED))
                .startsWith("org.postgresql.util.PSQLException [08001]: Connection to localhost:" + nothing + " refused.")
                .endsWith(" <- java.net.ConnectException: Connection refused");
    }

    @Test
    void resetDuringStartup() {
        listener = FaultListener.standalone().name("pg-reset").fault(Fault.reset()).start();
        assertThat(assertClassified(catchThrowable(() -> connect(listener.port())), CONNECTION_RESET))
                .startsWith("org.postgresql.util.PSQLException [08001]: The connection attempt failed.")
                .contains(" <- java.net.SocketException: Connection reset");
    }

    @Test
    void finDuringStartup() {
        listener = FaultListener.standalone().name("pg-fin").fault(Fault.close()).start();
        assertThat(assertClassified(catchThrowable(() -> connect(listener.port())), TRUNCATED))
                .startsWith("org.postgresql.util.PSQLException [08001]: The connection attempt failed.")
                .contains(" <- java.io.EOFException");
    }

    @Test
    void silentServer() {
        listener = FaultListener.standalone().name("pg-silent").fault(Fault.stall()).start();
        assertThat(assertClassified(catchThrowable(() -> connect(listener.port())), READ_TIMEOUT))
                .startsWith("org.postgresql.util.PSQLException [08001]: The connection attempt failed.")
                .endsWith(" <- java.net.SocketTimeoutException: Read timed out");
    }

    @Test
    void connectTimeout() {
        listener = FaultListener.standalone().name("pg-full").neverAccept().backlog(1).fillAcceptQueue().start();
        assertThat(assertClassified(catchThrowable(() -> connect(listener.port())), CONNECT_TIMEOUT))
                .startsWith("org.postgresql.util.PSQLException [08001]: The connection attempt failed.")
                .endsWith(" <- java.net.SocketTimeoutException: Connect timed out");
    }

    /** Constructed, not provoked: a reset of a connection in use, as pgjdbc's QueryExecutorImpl wraps the read's IOException. */
    @Test
    void resetInUseConstructed() {
        PSQLException thrown = new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
                new SocketException("Connection reset"));
        assertThat(thrown.getSQLState()).isEqualTo("08006");
        assertClassified(thrown, CONNECTION_RESET);
    }

    /** Constructed, not provoked: the same without a cause (08006 alone) is taken as a reset. */
    @Test
    void connectionFailureWithoutCauseConstructed() {
        assertClassified(new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE), CONNECTION_RESET);
    }
}
