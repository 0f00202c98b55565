package dev.netfault.internal;

import dev.netfault.Closure;
import dev.netfault.ConnectionRecord;
import dev.netfault.Exchange;
import dev.netfault.Fault;
import dev.netfault.FiredFault;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The journal of one listener. A connection's entry is written by the loop thread that relays the
 * connection, what concerns the listener under its lock; read by any thread.
 */
final class JournalImpl implements Journal {

    static {
        // Loaded with the first journal, while descriptors remain: a listener whose process then runs
        // out of file descriptors still logs ACCEPT_FAILED, and LISTENER_CLOSED when it closes (loading
        // a class from a directory takes a descriptor).
        loaded(JournalEvent.class, JournalEvent.Type.class);
    }

    /** Nothing: resolving its arguments' class literals loaded those classes. */
    private static void loaded(Class<?>... classes) {
    }

    /** One exchange's mutable log: written by the loop thread only, published through volatiles. */
    static final class ExchangeEntry {
        final long connection;
        final long index;
        final long request;
        final Instant started;
        private volatile long requestBytes;
        private volatile long responseBytes;
        private volatile Instant responseStarted;
        private final List<FiredFault> faults = new CopyOnWriteArrayList<>();

        private ExchangeEntry(long connection, long index, long request) {
            this.connection = connection;
            this.index = index;
            this.request = request;
            this.started = Instant.now();
        }

        void addRequestBytes(long n) {
            requestBytes += n; // single writer: the loop thread
        }

        void addResponseBytes(long n) {
            responseBytes += n; // single writer: the loop thread
        }

        void responseStarted() {
            if (responseStarted == null) {
                responseStarted = Instant.now();
            }
        }

        Exchange snapshot() {
            return new Exchange(connection, index, request, started, requestBytes, responseBytes,
                    Optional.ofNullable(responseStarted), faults);
        }
    }

    /** One connection's mutable log: written by the loop thread only, published through volatiles. */
    static final class Entry {
        final long id;
        final InetSocketAddress client;
        final Instant accepted;
        private final JournalImpl journal;
        private volatile Instant upstreamConnected;
        private volatile Instant closed;
        private volatile long bytesFromClient;
        private volatile long bytesToClient;
        private final List<FiredFault> faults = new CopyOnWriteArrayList<>();
        private volatile Closure clientClosure = Closure.OPEN;
        private volatile Closure listenerClosure = Closure.OPEN;
        private volatile boolean leaked;
        // Guarded by itself: the loop thread appends, snapshots copy.
        private final List<ExchangeEntry> exchanges = new ArrayList<>();
        /** The exchange going on now (loop thread), or null before the first. */
        private ExchangeEntry current;

        private Entry(JournalImpl journal, long id, InetSocketAddress client) {
            this.journal = journal;
            this.id = id;
            this.client = client;
            this.accepted = Instant.now();
        }

        void upstreamConnected() {
            upstreamConnected = Instant.now();
            journal.event(id, JournalEvent.Type.UPSTREAM_CONNECTED, "");
        }

        void upstreamFailed(String why) {
            journal.event(id, JournalEvent.Type.UPSTREAM_FAILED, why);
        }

        void addFromClient(long n) {
            bytesFromClient += n; // single writer: the loop thread
        }

        void addToClient(long n) {
            bytesToClient += n; // single writer: the loop thread
        }

        long bytesFromClient() {
            return bytesFromClient;
        }

        long bytesToClient() {
            return bytesToClient;
        }

        /**
         * A new exchange starts: request {@code request} across the listener, {@code index} on this
         * connection (0: the greeting). {@return its log}
         */
        ExchangeEntry exchange(long index, long request) {
            ExchangeEntry exchange = new ExchangeEntry(id, index, request);
            return started(exchange, journal.recordExchange(exchange));
        }

        /**
         * A request starts, {@code index} on this connection: it gets the next number across the
         * listener, and is listed in that order, whichever loop relays its connection. {@return its log}
         */
        ExchangeEntry request(long index) {
            ExchangeEntry exchange;
            boolean listed;
            synchronized (journal) {
                exchange = new ExchangeEntry(id, index, ++journal.requests);
                listed = journal.recordExchange(exchange);
            }
            return started(exchange, listed);
        }

        private ExchangeEntry started(ExchangeEntry exchange, boolean listed) {
            current = exchange;
            if (listed) {
                synchronized (exchanges) {
                    exchanges.add(exchange);
                }
            }
            return exchange;
        }

        void fired(Fault fault) {
            FiredFault fired = new FiredFault(fault, Instant.now(), bytesFromClient, bytesToClient);
            faults.add(fired);
            if (current != null) {
                current.faults.add(fired);
            }
            journal.event(id, JournalEvent.Type.FAULT_FIRED, fault.effect().describe() + " " + fault.trigger().describe()
                    + " (" + bytesFromClient + " bytes from, " + bytesToClient + " bytes to the client"
                    + (current == null ? "" : current.index == 0 ? "; in the greeting" : "; request " + current.request
                    + ", #" + current.index + " on its connection") + ")");
        }

        void clientClosed(Closure how) {
            if (clientClosure == Closure.OPEN) {
                clientClosure = how;
                journal.event(id, how == Closure.FIN ? JournalEvent.Type.CLIENT_FIN : JournalEvent.Type.CLIENT_RST, "");
            }
        }

        void upstreamClosed(Closure how) {
            journal.event(id, how == Closure.FIN ? JournalEvent.Type.UPSTREAM_FIN : JournalEvent.Type.UPSTREAM_RST, "");
        }

        void listenerClosed(Closure how, String why) {
            if (listenerClosure == Closure.OPEN) {
                listenerClosure = how;
                journal.event(id, how == Closure.FIN ? JournalEvent.Type.SENT_FIN : JournalEvent.Type.SENT_RST, why);
            }
        }

        void released() {
            journal.event(id, JournalEvent.Type.RELEASED, "listener closed: relayed as a plain pass-through until either side closes");
        }

        void leaked() {
            leaked = true;
            journal.event(id, JournalEvent.Type.LEAKED, "");
        }

        void finished() {
            if (closed == null) {
                closed = Instant.now();
            }
        }

        ConnectionRecord snapshot() {
            List<ExchangeEntry> copy;
            synchronized (exchanges) {
                copy = new ArrayList<>(exchanges);
            }
            List<Exchange> snapshots = new ArrayList<>(copy.size());
            for (ExchangeEntry exchange : copy) {
                snapshots.add(exchange.snapshot());
            }
            return new ConnectionRecord(id, client, accepted, Optional.ofNullable(upstreamConnected),
                    Optional.ofNullable(closed), bytesFromClient, bytesToClient, faults, clientClosure,
                    listenerClosure, leaked, snapshots);
        }
    }

    private final String listenerName;
    // Guarded by this: appends are frequent (every accept, every fault), snapshots rare.
    private final List<Entry> entries = new ArrayList<>();
    private final List<JournalEvent> events = new ArrayList<>();
    private final List<ExchangeEntry> exchanges = new ArrayList<>();
    /** Requests started on any connection, for their numbers across the listener. */
    private long requests;

    JournalImpl(String listenerName) {
        this.listenerName = listenerName;
    }

    Entry open(long id, InetSocketAddress client) {
        Entry entry = new Entry(this, id, client);
        synchronized (this) {
            entries.add(entry);
        }
        event(id, JournalEvent.Type.ACCEPTED, "from " + client);
        return entry;
    }

    /** {@return whether the exchange is listed (the first {@link Journal#EXCHANGES_RECORDED} are)} */
    private synchronized boolean recordExchange(ExchangeEntry exchange) {
        if (exchanges.size() >= EXCHANGES_RECORDED) {
            return false;
        }
        exchanges.add(exchange);
        return true;
    }

    @Override
    public List<Exchange> exchanges() {
        List<ExchangeEntry> copy;
        synchronized (this) {
            copy = new ArrayList<>(exchanges);
        }
        List<Exchange> result = new ArrayList<>(copy.size());
        for (ExchangeEntry exchange : copy) {
            result.add(exchange.snapshot());
        }
        return List.copyOf(result);
    }

    void event(long connection, JournalEvent.Type type, String detail) {
        JournalEvent event = new JournalEvent(Instant.now(), connection, type, detail);
        synchronized (this) {
            events.add(event);
        }
    }

    @Override
    public List<ConnectionRecord> connections() {
        List<Entry> copy;
        synchronized (this) {
            copy = new ArrayList<>(entries);
        }
        List<ConnectionRecord> result = new ArrayList<>(copy.size());
        for (Entry entry : copy) {
            result.add(entry.snapshot());
        }
        return List.copyOf(result);
    }

    @Override
    public Optional<ConnectionRecord> connection(long id) {
        Entry entry;
        synchronized (this) {
            entry = id >= 1 && id <= entries.size() ? entries.get((int) id - 1) : null;
        }
        return Optional.ofNullable(entry).map(Entry::snapshot);
    }

    @Override
    public synchronized List<JournalEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public synchronized int accepted() {
        return entries.size();
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("journal of netfault listener '").append(listenerName).append("': ");
        List<ConnectionRecord> connections = connections();
        s.append(connections.isEmpty() ? "no connection accepted" : connections.size() == 1 ? "1 connection" : connections.size() + " connections");
        for (ConnectionRecord c : connections) {
            s.append("\n  ").append(c.describe());
        }
        return s.toString();
    }
}
