package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.h2.server.TcpServer;
import org.h2.tools.Server;

/**
 * A real H2 database server speaking its TCP protocol on a loopback ephemeral port, and the JDBC
 * URL an application would be configured with. The build sets {@code h2.bindAddress=127.0.0.1}
 * (H2 reads it once, when its first class loads); {@link #start()} checks the server is bound
 * there.
 */
final class H2Server implements AutoCloseable {

    static {
        System.setProperty("h2.bindAddress", "127.0.0.1"); // in case nothing set it before H2 loaded
    }

    private final Server server;

    private H2Server(Server server) {
        this.server = server;
    }

    /** Starts a server that creates in-memory databases on demand and accepts only local clients. */
    static H2Server start() throws SQLException {
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        H2Server h2 = new H2Server(server);
        try {
            assertThat(h2.boundTo().getInetAddress().isLoopbackAddress()).as("H2 bound to loopback: %s", h2.boundTo()).isTrue();
            assertThat(((TcpServer) server.getService()).getAllowOthers()).as("H2 accepts remote clients").isFalse();
        } catch (AssertionError e) {
            server.stop();
            throw e;
        }
        return h2;
    }

    private ServerSocket boundTo() {
        try {
            Field field = TcpServer.class.getDeclaredField("serverSocket");
            field.setAccessible(true);
            return (ServerSocket) field.get(server.getService());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot check where H2 is bound", e);
        }
    }

    int port() {
        return server.getPort();
    }

    /** {@return the application's JDBC URL: a host name and the server's port} */
    String url(String database) {
        return "jdbc:h2:tcp://localhost:" + port() + "/mem:" + database;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), "sa", "");
    }

    @Override
    public void close() {
        server.stop();
    }
}
