package dev.netfault.examples.prices;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;

/**
 * The real database the pool talks to: H2's TCP server, in-process, on a loopback ephemeral port, with
 * an in-memory database that holds the {@code PRICES} table ({@code ABC-1} costs 1999 cents).
 */
final class PriceDatabase implements AutoCloseable {

    static {
        // H2 binds its server to the wildcard address unless told otherwise; it reads this once, when it loads.
        // The build sets it too, in case another class loaded H2 first.
        System.setProperty("h2.bindAddress", "127.0.0.1");
    }

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Server server;
    private final String name;
    /** An in-process connection: it keeps the in-memory database alive while the faults break the pool's. */
    private final Connection keeper;

    private PriceDatabase(Server server, String name, Connection keeper) {
        this.server = server;
        this.name = name;
        this.keeper = keeper;
    }

    static PriceDatabase start() {
        String name = "prices" + DATABASES.incrementAndGet();
        try {
            Connection keeper = DriverManager.getConnection("jdbc:h2:mem:" + name, "sa", "");
            try (Statement sql = keeper.createStatement()) {
                sql.execute("CREATE TABLE PRICES(SKU VARCHAR PRIMARY KEY, CENTS BIGINT NOT NULL)");
                sql.execute("INSERT INTO PRICES VALUES ('" + PriceService.SKU + "', " + PriceService.CENTS + ")");
            }
            Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
            return new PriceDatabase(server, name, keeper);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot start the price database", e);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getPort());
    }

    /** {@return the JDBC URL of this database through {@code address} (netfault's listener, or the server itself)} */
    String urlThrough(InetSocketAddress address) {
        return "jdbc:h2:tcp://" + address.getHostString() + ":" + address.getPort() + "/mem:" + name;
    }

    @Override
    public void close() {
        server.stop();
        try {
            keeper.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close the price database", e);
        }
    }
}
