package dev.netfault;

/**
 * The error a failed {@code accept()} reports, for {@link SocketAgent#failAccept(int, int, AcceptError)}.
 *
 * <p>What the application sees is the same for every constant, on JDK 17 and 25 (measured by making
 * the C library's {@code accept} fail with each errno under the real JDK): {@code ServerSocket.accept()}
 * (timed or not), {@code ServerSocketChannel.accept()} (blocking or not, or through its
 * {@code socket()}) throw a plain {@code java.io.IOException} whose message is the C library's text for
 * the errno ({@link #message()}, glibc's). The listener stays open and usable: the next accept
 * succeeds. The JDK itself neither retries nor closes anything.
 *
 * <p>netfault fails the accept before it takes a connection from the queue: the failure comes at once,
 * even when no connection is pending, and pending connections stay queued for the next accept. That is
 * what the kernel does for the resource errors ({@link #EMFILE}, {@link #ENFILE}, {@link #ENOBUFS}).
 * For the errors of a connection lost between its handshake and the accept ({@link #ETIMEDOUT},
 * {@link #ENETDOWN}, {@link #EPROTO}) the kernel would report the error once that connection is
 * dequeued, and that connection is gone; netfault loses no connection.
 *
 * <p>{@code ECONNABORTED} (a connection reset while queued) is not offered: the JDK retries it inside
 * its native {@code accept}, so the application never sees it (measured on JDK 17 and 25); the real
 * thing, a client that resets before the server accepts, is still accepted on Linux and its first read
 * fails with {@code Connection reset}.
 *
 * @since 0.2
 */
public enum AcceptError {

    /** {@code ETIMEDOUT}: {@code java.io.IOException: Connection timed out}. */
    ETIMEDOUT("Connection timed out"),
    /** {@code ENETDOWN}: {@code java.io.IOException: Network is down}. */
    ENETDOWN("Network is down"),
    /** {@code EPROTO}: {@code java.io.IOException: Protocol error}. */
    EPROTO("Protocol error"),
    /** {@code ENOBUFS}: {@code java.io.IOException: No buffer space available}. */
    ENOBUFS("No buffer space available"),
    /** {@code ENFILE}, the system's file table is full: {@code java.io.IOException: Too many open files in system}. */
    ENFILE("Too many open files in system"),
    /** {@code EMFILE}, the process is out of file descriptors: {@code java.io.IOException: Too many open files}. */
    EMFILE("Too many open files");

    private final String message;

    AcceptError(String message) {
        this.message = message;
    }

    /** {@return the exception's message: the C library's text for the errno, as the JDK reports it on Linux with glibc} */
    public String message() {
        return message;
    }
}
