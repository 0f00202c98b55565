package dev.netfault.examples.prices;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Prices from a database table, {@code PRICES(SKU, CENTS)}, through a HikariCP pool.
 *
 * <p>The pool's {@code connectionTimeout} is the one timeout that bounds every query's wait for a
 * connection: H2's TCP client has a 2 s connect timeout and no read timeout at all (its
 * {@code setNetworkTimeout} does nothing), so a database that hangs while a connection is being
 * opened reaches the application as the pool's timeout.
 */
public final class PriceRepository implements AutoCloseable {

    private final HikariDataSource pool;

    public PriceRepository(String jdbcUrl, String user, String password, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setInitializationFailTimeout(-1); // start even while the database is unreachable; connect later
        this.pool = new HikariDataSource(config);
    }

    /**
     * {@return the price of the product, in cents}
     *
     * @throws SQLException when no connection could be had in time, the connection broke, or there is
     *         no such product
     */
    public long centsFor(String sku) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT CENTS FROM PRICES WHERE SKU = ?")) {
            query.setString(1, sku);
            try (ResultSet result = query.executeQuery()) {
                if (!result.next()) {
                    throw new SQLException("no price for " + sku);
                }
                return result.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
