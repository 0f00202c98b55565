package dev.netfault.examples.kv;

/** The server could not start; the cause says why (a {@code java.net.BindException} when the port is taken). */
public class ServerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
