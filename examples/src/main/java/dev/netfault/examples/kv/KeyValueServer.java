package dev.netfault.examples.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small key-value server with a line-based protocol on 127.0.0.1:
 * <pre>
 * SET &lt;key&gt; &lt;value&gt;   -&gt; OK
 * GET &lt;key&gt;           -&gt; VALUE &lt;value&gt; | NOT_FOUND
 * QUIT                -&gt; BYE, then the server closes the connection
 * </pre>
 * What it does about the network:
 * <ul>
 *   <li>{@link #start()} reports a taken port as a {@link ServerStartException} that says so,
 *       instead of a bare {@code BindException} from deep inside;</li>
 *   <li>a client that resets or breaks its connection costs that connection only: the accept
 *       loop and the other clients carry on;</li>
 *   <li>an idle client is disconnected after the idle timeout, so silent clients cannot pile up.</li>
 * </ul>
 */
public final class KeyValueServer implements AutoCloseable {

    private final int requestedPort;
    private final Duration idleTimeout;
    private final Map<String, String> entries = new ConcurrentHashMap<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong broken = new AtomicLong();
    private ServerSocket serverSocket;
    private ExecutorService workers;

    /** A server for {@code port} on 127.0.0.1 (0 picks a free port), with a 30 s idle timeout. */
    public KeyValueServer(int port) {
        this(port, Duration.ofSeconds(30));
    }

    public KeyValueServer(int port, Duration idleTimeout) {
        this.requestedPort = port;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws ServerStartException if the port cannot be bound, for example because another
     *         process holds it
     */
    public synchronized KeyValueServer start() {
        if (serverSocket != null) {
            throw new IllegalStateException("already started on port " + port());
        }
        ServerSocket socket = bind();
        serverSocket = socket;
        AtomicInteger workerCount = new AtomicInteger();
        workers = Executors.newCachedThreadPool(task -> daemon(task, "kv-client-" + workerCount.incrementAndGet()));
        daemon(() -> acceptLoop(socket), "kv-acceptor-" + socket.getLocalPort()).start();
        return this;
    }

    private ServerSocket bind() {
        try {
            return new ServerSocket(requestedPort, 50, InetAddress.getLoopbackAddress()); // closes itself if the bind fails
        } catch (IOException e) {
            String why = e instanceof BindException
                    ? "the port is already in use. Stop the process that holds it, or configure another port."
                    : e.toString();
            throw new ServerStartException("key-value server cannot listen on 127.0.0.1:" + requestedPort + ": " + why, e);
        }
    }

    /** {@return the port the server listens on} */
    public synchronized int port() {
        if (serverSocket == null) {
            throw new IllegalStateException("not started");
        }
        return serverSocket.getLocalPort();
    }

    /** {@return how many connections the server accepted} */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** {@return how many connections ended in an error (a client reset, a broken pipe) rather than a close} */
    public long connectionsBroken() {
        return broken.get();
    }

    /** Stops accepting, closes every client connection. */
    public synchronized void stop() {
        if (serverSocket != null) {
            closeQuietly(serverSocket);
            clients.forEach(KeyValueServer::closeQuietly);
            workers.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return; // stop() closed it
                }
                // Accept can fail for reasons that pass (too many open files): keep the loop alive,
                // without spinning.
                if (!pause()) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            clients.add(client);
            workers.execute(() -> serve(client));
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout((int) idleTimeout.toMillis());
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null) {
                String reply = execute(line);
                out.write(reply + "\n");
                out.flush();
                if (reply.equals("BYE")) {
                    break;
                }
            }
        } catch (SocketTimeoutException idle) {
            // The client said nothing for idleTimeout: closing it is the point.
        } catch (IOException e) {
            // The client reset or broke the connection (SocketException: Connection reset): only this
            // connection is lost.
            broken.incrementAndGet();
        } finally {
            clients.remove(client);
        }
    }

    private String execute(String line) {
        String[] words = line.trim().split(" ", 3);
        switch (words[0]) {
            case "SET":
                if (words.length < 3) {
                    return "ERROR usage: SET <key> <value>";
                }
                entries.put(words[1], words[2]);
                return "OK";
            case "GET":
                if (words.length != 2) {
                    return "ERROR usage: GET <key>";
                }
                String value = entries.get(words[1]);
                return value == null ? "NOT_FOUND" : "VALUE " + value;
            case "QUIT":
                return "BYE";
            default:
                return "ERROR unknown command";
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static boolean pause() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // nothing to do: we are closing it
            }
        }
    }
}
