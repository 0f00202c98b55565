package dev.netfault;

import dev.netfault.internal.ListenerConfig;
import dev.netfault.internal.ListenerEngine;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * A loopback TCP listener that misbehaves on purpose: stand-alone (a faulty server with no
 * upstream), or as a proxy in front of a real upstream. It applies {@link Fault}s per connection
 * and per direction, controls its own accept queue (slow accept, a queue that fills so that
 * connects really time out, a server that leaks the sockets it accepts), and records everything in
 * its {@link Journal}.
 *
 * <pre>{@code
 * try (FaultListener listener = FaultListener.inFrontOf(upstream)
 *         .fault(Fault.reset().afterBytes(Direction.TO_CLIENT, 100))
 *         .start()) {
 *     // point the client at listener.address(): it receives exactly 100 bytes, then a real RST
 * }
 * }</pre>
 *
 * <p>Every listener binds to 127.0.0.1 on an ephemeral port and owns one daemon thread, named
 * {@code netfault-<name>-<port>}. A connection that arrives while each of the listener's threads
 * already relays some starts another ({@code netfault-<name>-<port>-2}, ...; at most one per CPU,
 * 8 at most, or {@code -Dnetfault.loops}); each connection lives on one thread to its end. Such an
 * extra thread whose connections have all ended ends its work for the listener 1 s later, while the
 * listener serves on; a later busy spell starts it again. {@link #close()} ends its faults and
 * releases its port at once; connections it relays to an upstream live on as plain pass-through until one side closes them (a pool shared across tests
 * keeps working), and each thread's work for the listener ends with the last of the connections it
 * relays. A thread whose work ended waits, named {@code netfault-idle}, up to 1 s for the next
 * listener (starting a thread costs more than the rest of a listener's start and close together)
 * and then ends.
 *
 * @since 0.1
 */
public interface FaultListener extends AutoCloseable {

    /** {@return a builder for a stand-alone listener: it reads and discards what clients send, and answers nothing} */
    static Builder standalone() {
        return new Builder();
    }

    /**
     * {@return a builder for a listener that relays to {@code upstream}}
     *
     * @param upstream the real server's address; see {@link FaultListener#proxyTo} for one known only later
     */
    static Builder inFrontOf(InetSocketAddress upstream) {
        return new Builder().upstream(upstream);
    }

    /** {@return the address clients connect to: 127.0.0.1 and an ephemeral port} */
    InetSocketAddress address();

    /** {@return the host clients connect to, {@code "127.0.0.1"}} */
    default String host() {
        return address().getAddress().getHostAddress();
    }

    /** {@return the port clients connect to} */
    default int port() {
        return address().getPort();
    }

    /**
     * {@return {@code scheme://127.0.0.1:port/}, for example {@code uri("http")}}
     *
     * @param scheme the URI scheme, such as {@code "http"} or {@code "redis"}
     */
    default URI uri(String scheme) {
        return URI.create(scheme + "://" + host() + ":" + port() + "/");
    }

    /** {@return the seed of everything random in this listener: give it to {@link Builder#seed} to replay a run} */
    long seed();

    /**
     * Resets every connection open now with a real RST ("break now"); later connections are
     * served as usual.
     */
    void resetOpenConnections();

    /**
     * Takes the listener down: it closes its listening socket, so new connects are refused by the
     * kernel ({@code ConnectException: Connection refused}); open connections stay. Idempotent.
     */
    void down();

    /**
     * Takes the listener down now and brings it back up after {@code duration} ("break now, heal
     * after two seconds"), so a test can assert with Awaitility that the application recovers.
     *
     * @param duration how long new connects are refused
     */
    void downFor(java.time.Duration duration);

    /**
     * Brings the listener back up on the same port after {@link #down()} ("heal").
     *
     * @throws java.io.UncheckedIOException if the port was taken meanwhile
     */
    void up();

    /** {@return this listener's name, used in its thread's name and in messages} */
    String name();

    /** {@return what happened so far} */
    Journal journal();

    /** {@return the upstream new connections are relayed to, if any} */
    Optional<InetSocketAddress> upstream();

    /**
     * Relay connections accepted from now on to {@code upstream}, for an upstream that is known only
     * at run time (a server the test starts on an ephemeral port).
     *
     * @param upstream the real server's address
     * @throws IllegalStateException if the listener was closed, echoes, or leaks its connections
     */
    void proxyTo(InetSocketAddress upstream);

    /**
     * Add a fault for connections accepted from now on.
     *
     * @param fault the fault, not null
     * @throws IllegalStateException if the listener was closed
     * @throws IllegalArgumentException if the listener echoes and the fault triggers on a response
     */
    void addFault(Fault fault);

    /**
     * Remove every fault, for connections accepted from now on.
     *
     * @throws IllegalStateException if the listener was closed
     */
    void clearFaults();

    /** {@return the faults new connections get} */
    List<Fault> faults();

    /**
     * {@return a socket factory whose sockets connect to this listener whatever address the
     * application gives them} The sockets still report the address the application asked for
     * ({@code getInetAddress()}, {@code getPort()}, {@code getRemoteSocketAddress()}), as a real
     * connection to it would. For applications that take a {@link SocketFactory}: OkHttp, Apache
     * HttpClient, many JDBC and Redis drivers.
     */
    SocketFactory socketFactory();

    /**
     * Closes the listener: its faults end and its port is released. Idempotent; it does not wait for
     * the connections that live on.
     *
     * <p>What the application sees:
     * <ul>
     *   <li>New connects to {@link #address()} are refused ({@code ConnectException: Connection
     *       refused}) as soon as {@code close()} returns.</li>
     *   <li>A connection relayed to an upstream and still open keeps working, as if netfault had
     *       never been there: no fault fires any more (a reset after N bytes that has not fired
     *       never will, a stall ends), shaping ends (latency, bandwidth, slices, a slow close), and
     *       bytes already held back are delivered at once, in order, none lost. It relays until
     *       the application or the server closes it, and each close is passed on as it comes: a
     *       FIN as a FIN, a RST as a RST. The journal records {@link JournalEvent.Type#RELEASED}
     *       for it, then its close events. A pooled connection opened in one test is therefore
     *       healthy in the next.</li>
     *   <li>What a fault already did stays done: a connection reset or closed by a fault stays
     *       so, a direction half-closed or blackholed stays so (its lost bytes cannot be given
     *       back).</li>
     *   <li>A stand-alone listener has nothing to relay to: each of its connections (and each
     *       leaked one) is reset with a real RST ({@code SocketException: Connection reset}); so
     *       is every connection when the listener was built with
     *       {@link Builder#resetConnectionsOnClose()}.</li>
     * </ul>
     *
     * <p>The listener's threads stop working for it as soon as no connection relays through it any
     * more (they then wait up to 1 s, named {@code netfault-idle}, for another listener, and end);
     * they are daemon threads, so connections the application never closes do not keep the JVM alive.
     * After {@code close()}, the methods that change the listener ({@link #addFault},
     * {@link #clearFaults}, {@link #proxyTo}, {@link #resetOpenConnections}, {@link #down},
     * {@link #downFor}, {@link #up}) throw {@code IllegalStateException}; its journal stays
     * readable.
     *
     * @throws IllegalStateException if called from the listener's own thread
     */
    @Override
    void close();

    /**
     * Builds a {@link FaultListener}. Not thread-safe; {@link #start()} may be called once per
     * configuration.
     */
    final class Builder {
        private InetSocketAddress upstream;
        private boolean echo;
        private final List<Fault> faults = new ArrayList<>();
        private Duration acceptDelay = Duration.ZERO;
        private boolean acceptNever;
        private int backlog = 4096;
        private boolean backlogSet;
        private boolean fillAcceptQueue;
        private int leakLimit = -1;
        private String name = "listener";
        private Long seed;
        private boolean resetOnClose;

        Builder() {
        }

        /**
         * Relay to {@code upstream}.
         *
         * @param upstream the real server's address, not null
         * @return this builder
         */
        public Builder upstream(InetSocketAddress upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        /**
         * Without an upstream, send back what each client sends (by default nothing is sent).
         *
         * @return this builder
         */
        public Builder echo() {
            this.echo = true;
            return this;
        }

        /**
         * Add faults, applied to every connection they select.
         *
         * @param more the faults, none null; with none, nothing is added
         * @return this builder
         */
        public Builder fault(Fault... more) {
            for (Fault fault : more) {
                faults.add(Objects.requireNonNull(fault, "fault"));
            }
            return this;
        }

        /**
         * Accept at most one connection per {@code delay}: each pending connection is accepted
         * {@code delay} after the listener noticed it (or accepted the previous one). Meanwhile the
         * kernel completes handshakes into the accept queue, so clients connect at once and their
         * first read waits; once the queue is full, further SYNs are dropped and connects time out.
         *
         * @param delay the time between accepts, not negative; 0 (the default) accepts at once
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder acceptDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("an accept delay must not be negative, but was " + delay.toMillis() + " ms");
            }
            this.acceptDelay = delay;
            return this;
        }

        /**
         * Never accept: connections wait in the accept queue; once it is full, connects time out.
         *
         * @return this builder
         */
        public Builder neverAccept() {
            this.acceptNever = true;
            return this;
        }

        /**
         * The listen backlog (default 4096, Linux's usual {@code somaxconn}, which caps it; 1 for a
         * listener that fills its own queue). Linux queues {@code backlog + 1} completed connections
         * before it drops SYNs.
         *
         * @param backlog the requested queue length, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code backlog} is less than 1
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("a backlog must be at least 1, but was " + backlog);
            }
            this.backlog = backlog;
            this.backlogSet = true;
            return this;
        }

        /**
         * Fill the accept queue with the listener's own connections before it starts, so that every
         * client connect is dropped by the kernel and times out (until accepts free a slot). This is
         * a real connect timeout: {@code connect(address, 500)} throws {@code SocketTimeoutException:
         * Connect timed out}.
         *
         * @return this builder
         */
        public Builder fillAcceptQueue() {
            this.fillAcceptQueue = true;
            return this;
        }

        /**
         * Be a server that leaks the sockets it accepts: accept, never read, answer or close. After
         * {@code limit} leaked connections it stops accepting and fills its accept queue, so later
         * connects time out.
         *
         * @param limit how many connections it accepts and abandons, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code limit} is less than 1
         */
        public Builder leakConnections(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("a leak limit must be at least 1, but was " + limit);
            }
            this.leakLimit = limit;
            return this;
        }

        /**
         * The seed of everything random in this listener ({@link Connections#withProbability},
         * jitter), to replay a run exactly; by default a new random seed, reported by {@link FaultListener#seed()}.
         *
         * @param seed the seed, as a failed run's {@link FaultListener#seed()} reported it
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * At {@link FaultListener#close()}, reset every connection with a real RST, relayed ones too,
         * instead of letting relayed connections live on as pass-through. For a test that wants the
         * application to see its connections break when the listener goes away.
         *
         * @return this builder
         */
        public Builder resetConnectionsOnClose() {
            this.resetOnClose = true;
            return this;
        }

        /**
         * Name the listener (its thread is {@code netfault-<name>-<port>}, more are
         * {@code netfault-<name>-<port>-2}, ...); the default is {@code "listener"}.
         *
         * @param name the name, not null; used in thread names and in messages
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Bind and start the listener.
         *
         * @return the running listener, bound to 127.0.0.1 on an ephemeral port; close it when done
         * @throws IllegalStateException if the configuration contradicts itself
         * @throws UncheckedIOException if the listener cannot bind
         */
        public FaultListener start() {
            if (leakLimit > 0 && (acceptNever || !acceptDelay.isZero())) {
                throw new IllegalStateException("a leaky listener accepts at once until its limit; it cannot also delay or refuse accepts");
            }
            if (leakLimit > 0 && (upstream != null || echo || !faults.isEmpty())) {
                throw new IllegalStateException("a leaky listener never serves its connections, so it takes no upstream, echo or faults");
            }
            if (echo && upstream != null) {
                throw new IllegalStateException("a listener either relays to an upstream or echoes, not both");
            }
            for (Fault fault : faults) {
                try {
                    ListenerEngine.requireServerTurns(echo, fault, name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            if (acceptNever && !acceptDelay.isZero()) {
                throw new IllegalStateException("a listener that never accepts has no accept delay");
            }
            // A queue the listener fills itself stays small unless asked otherwise: it fills it with its own sockets.
            int queue = backlogSet || !(fillAcceptQueue || leakLimit > 0) ? backlog : 1;
            return ListenerEngine.start(new ListenerConfig(name, upstream, echo, List.copyOf(faults), acceptDelay,
                    acceptNever, queue, fillAcceptQueue, leakLimit,
                    seed != null ? seed : java.util.concurrent.ThreadLocalRandom.current().nextLong(), resetOnClose));
        }
    }
}
