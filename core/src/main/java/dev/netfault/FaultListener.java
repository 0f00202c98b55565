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
 * <p>Every listener binds to 127.0.0.1 on an ephemeral port and owns one thread, named
 * {@code netfault-<name>}; {@link #close()} releases all of it, including every accepted socket.
 *
 * @since 0.1
 */
public interface FaultListener extends AutoCloseable {

    /** {@return a builder for a stand-alone listener: it reads and discards what clients send, and answers nothing} */
    static Builder standalone() {
        return new Builder();
    }

    /** {@return a builder for a listener that relays to {@code upstream}} */
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

    /** {@return {@code scheme://127.0.0.1:port/}, for example {@code uri("http")}} */
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
     */
    void proxyTo(InetSocketAddress upstream);

    /** Add a fault for connections accepted from now on. */
    void addFault(Fault fault);

    /** Remove every fault, for connections accepted from now on. */
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

    /** Close the listener, every connection it holds, and its thread. Idempotent. */
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

        Builder() {
        }

        /** Relay to {@code upstream}. */
        public Builder upstream(InetSocketAddress upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        /** Without an upstream, send back what each client sends (by default nothing is sent). */
        public Builder echo() {
            this.echo = true;
            return this;
        }

        /** Add faults, applied to every connection they select. */
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
         */
        public Builder acceptDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("an accept delay must not be negative, but was " + delay.toMillis() + " ms");
            }
            this.acceptDelay = delay;
            return this;
        }

        /** Never accept: connections wait in the accept queue; once it is full, connects time out. */
        public Builder neverAccept() {
            this.acceptNever = true;
            return this;
        }

        /**
         * The listen backlog (default 4096, Linux's usual {@code somaxconn}, which caps it; 1 for a
         * listener that fills its own queue). Linux queues {@code backlog + 1} completed connections
         * before it drops SYNs.
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
         */
        public Builder fillAcceptQueue() {
            this.fillAcceptQueue = true;
            return this;
        }

        /**
         * Be a server that leaks the sockets it accepts: accept, never read, answer or close. After
         * {@code limit} leaked connections it stops accepting and fills its accept queue, so later
         * connects time out.
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
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Name the listener (its thread is {@code netfault-<name>}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Bind and start the listener.
         *
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
            if (acceptNever && !acceptDelay.isZero()) {
                throw new IllegalStateException("a listener that never accepts has no accept delay");
            }
            // A queue the listener fills itself stays small unless asked otherwise: it fills it with its own sockets.
            int queue = backlogSet || !(fillAcceptQueue || leakLimit > 0) ? backlog : 1;
            return ListenerEngine.start(new ListenerConfig(name, upstream, echo, List.copyOf(faults), acceptDelay,
                    acceptNever, queue, fillAcceptQueue, leakLimit,
                    seed != null ? seed : java.util.concurrent.ThreadLocalRandom.current().nextLong()));
        }
    }
}
