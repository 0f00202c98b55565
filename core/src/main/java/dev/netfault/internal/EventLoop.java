package dev.netfault.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread, one selector, a task queue and timers. Everything a listener does happens on its
 * loop's thread, so connection state needs no locks. The thread comes from {@link LoopThreads}
 * and carries the loop's name while the loop runs.
 */
final class EventLoop {

    /** Size of the relay buffers: as large as a typical socket buffer read. */
    static final int BUFFER_SIZE = 64 * 1024;
    /** Spare buffers kept for reuse; more are left to the garbage collector. */
    private static final int POOL_LIMIT = 16;
    /**
     * Size of the buffers a busy pipe reads into: each read and write then moves more bytes, and the
     * kernel's cost per call (waking the peer, building packets) is paid less often per byte. On a
     * 2-vCPU VM the loop's CPU per GB relayed fell by a quarter from 512 KiB to 2 MiB.
     */
    static final int LARGE_BUFFER_SIZE = 2 * 1024 * 1024;
    /**
     * Large buffers one listener's loops ever hold together, lent or spare, at the least (8 MiB); a
     * listener that may run more loops than this may hold one per loop (see
     * {@code ListenerEngine.largeBufferLimit}). However many pipes are busy at once, the others read
     * into {@link #BUFFER_SIZE} buffers.
     */
    static final int LARGE_BUFFER_LIMIT = 4;
    /** The most large buffers one listener's loops ever hold together (16 MiB), however many loops it may run. */
    static final int LARGE_BUFFER_LIMIT_MAX = 8;
    /**
     * System property: how long the loop keeps polling after its last I/O event before it blocks in
     * the selector, in microseconds (default 100, or 0 where the JVM may use only one CPU; 0 never
     * polls). Waking a blocked thread on an idle CPU costs tens of microseconds on small VMs; while a
     * conversation is active, the next message usually arrives within this window and is relayed
     * without that wake-up. An idle listener never polls.
     */
    static final String SPIN_PROPERTY = "netfault.loop.spinMicros";

    /** The polling window in nanoseconds, from {@link #SPIN_PROPERTY}. */
    static long spinNanos(String value, int processors) {
        if (value == null) {
            // On one CPU a polling loop only takes turns away from the peer it waits for.
            return processors > 1 ? TimeUnit.MICROSECONDS.toNanos(100) : 0;
        }
        try {
            long micros = Long.parseLong(value.trim());
            if (micros >= 0 && micros <= 10_000) {
                return TimeUnit.MICROSECONDS.toNanos(micros);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + SPIN_PROPERTY + " must be a whole number of microseconds from 0 to 10000, but was '"
                + value + "'. Fix: remove it for the default (100), or give 0 to never poll.");
    }

    private final long spinNanos;

    interface Handler {
        void onReady(SelectionKey key) throws IOException;

        void onError(Throwable failure);
    }

    static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final long sequence;
        private final Runnable task;
        private boolean cancelled;

        private Timer(long deadline, long sequence, Runnable task) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer other) {
            int byTime = Long.compare(deadline - other.deadline, 0);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final Selector selector;
    private final String threadName;
    /** The thread that runs the loop, from {@link LoopThreads}: set once it starts. */
    private volatile Thread thread;
    /** Counted down once the loop has ended and released everything; its thread may serve another loop then. */
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    // Direct buffers: a read into one costs the JDK no extra copy. One is borrowed per read and
    // returned at once unless a partial write keeps it as that pipe's pending data, so idle
    // connections hold no buffer at all.
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    // Large buffers are kept once made: their memory stays bounded (the loops of one listener share
    // one allowance), and a burst of busy connections leaves no direct memory waiting for a garbage
    // collection. A buffer stays with the loop that made it.
    private final ArrayDeque<ByteBuffer> largePool = new ArrayDeque<>();
    /** Large buffers this loop and the others sharing the allowance may still make. */
    private final AtomicInteger largeLeft;
    private int largeMade;
    /** The JVM's direct memory had no room for a large buffer: this loop lends small ones only. */
    private boolean largeUnavailable;
    private volatile boolean running = true;
    private long sequence;
    private long lastEvent;
    private Runnable onStop = () -> { };
    /** Runs once the loop has ended and released its selector: answers a caller waiting for the end. */
    private Runnable afterStop = () -> { };

    EventLoop(String threadName) throws IOException {
        this(threadName, LARGE_BUFFER_LIMIT);
    }

    EventLoop(String threadName, int largeLimit) throws IOException {
        this(threadName, new AtomicInteger(largeLimit));
    }

    /**
     * A loop that makes large buffers while {@code largeAllowance}, shared with other loops, is above
     * zero, and takes one from it for each.
     */
    EventLoop(String threadName, AtomicInteger largeAllowance) throws IOException {
        this.largeLeft = largeAllowance;
        this.spinNanos = spinNanos(System.getProperty(SPIN_PROPERTY), Runtime.getRuntime().availableProcessors());
        this.lastEvent = System.nanoTime() - spinNanos;
        this.selector = Selector.open();
        this.threadName = threadName;
        // Loads the timer classes now: a listener whose process ran out of file descriptors must still
        // be able to schedule its retry, and loading a class can need a descriptor.
        schedule(Duration.ZERO, NOTHING);
    }

    private static final Runnable NOTHING = () -> { };

    void start() {
        // Known from here on, so that stop() never takes a started loop for one that never ran; run()
        // sets the same thread again first thing, for tasks that ask inLoop() before this returns.
        thread = LoopThreads.run(this::run, threadName, this::ended);
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread, soon. Thread-safe. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    interface LoopTask<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code task} on the loop thread and waits for it. Thread-safe (runs at once on the loop
     * thread itself).
     *
     * @throws java.io.UncheckedIOException if the task throws an IOException
     */
    <T> T call(LoopTask<T> task) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        Runnable body = () -> {
            try {
                result.complete(task.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        if (inLoop()) {
            body.run();
        } else {
            if (!running) {
                throw new IllegalStateException("the listener is closed");
            }
            execute(body);
        }
        return await(result);
    }

    /**
     * Runs {@code task} on the loop thread and, when it returns a negative number, ends the loop in
     * the same hand-off: {@code finalTask} runs last on the loop's thread, the selector closes, and
     * this returns once the loop has ended. Otherwise the loop goes on, as after {@link #call}.
     * One wake-up of the loop and one of the caller, where {@code call} and then {@link #stop}
     * take two of each. Not on the loop thread.
     *
     * @return what {@code task} returned
     * @throws IllegalStateException if the loop has stopped or does not answer within 10 s
     */
    int callThenStopIfNegative(LoopTask<Integer> task, Runnable finalTask) {
        if (inLoop()) {
            throw new IllegalStateException("a listener cannot be closed from its own thread");
        }
        if (!running) {
            throw new IllegalStateException("the listener is closed");
        }
        java.util.concurrent.CompletableFuture<Integer> result = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            try {
                int answer = task.run();
                if (answer < 0) {
                    // Answered once the thread has released everything: the caller then waits for it once.
                    onStop = finalTask;
                    afterStop = () -> result.complete(answer);
                    running = false;
                } else {
                    result.complete(answer);
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        int answer = await(result);
        if (answer < 0) {
            awaitEnd();
        }
        return answer;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> result) {
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the listener", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the listener did not answer within 10 s", e);
        }
    }

    /** Runs {@code task} on the loop thread after {@code delay}. Loop thread only. */
    Timer schedule(Duration delay, Runnable task) {
        long nanos = delay.compareTo(Duration.ofDays(365)) > 0 ? TimeUnit.DAYS.toNanos(365) : delay.toNanos();
        Timer timer = new Timer(System.nanoTime() + nanos, sequence++, task);
        timers.add(timer);
        return timer;
    }

    ByteBuffer borrow() {
        ByteBuffer buffer = pool.pollFirst();
        return buffer != null ? buffer.clear() : ByteBuffer.allocateDirect(BUFFER_SIZE);
    }

    /**
     * {@return a {@link #LARGE_BUFFER_SIZE} buffer, or a small one if the loop holds all the large ones it
     * may or the JVM's direct memory has no room for another}
     */
    ByteBuffer borrowLarge() {
        ByteBuffer buffer = largePool.pollFirst();
        if (buffer != null) {
            return buffer.clear();
        }
        if (!largeUnavailable && takeLargeAllowance()) {
            try {
                buffer = ByteBuffer.allocateDirect(LARGE_BUFFER_SIZE);
                largeMade++;
                return buffer;
            } catch (OutOfMemoryError directMemoryShort) {
                // -XX:MaxDirectMemorySize is reached (the application's own direct buffers count too):
                // the allowance goes back and the pipe reads small, slower but unharmed. The loop does not
                // ask again: the JDK collects garbage and waits up to about half a second before it fails.
                largeLeft.incrementAndGet();
                largeUnavailable = true;
            }
        }
        return borrow();
    }

    private boolean takeLargeAllowance() {
        return largeLeft.getAndUpdate(left -> left > 0 ? left - 1 : left) > 0;
    }

    /** Takes back a buffer from {@link #borrow()} or {@link #borrowLarge()}; the caller no longer touches it. */
    void giveBack(ByteBuffer buffer) {
        if (buffer.capacity() == LARGE_BUFFER_SIZE) {
            largePool.addFirst(buffer);
        } else if (pool.size() < POOL_LIMIT) {
            pool.addFirst(buffer);
        }
    }

    /**
     * Drops the spare large buffers and returns their share of the allowance, so that other loops of
     * the listener may make them. For a loop that ends while its listener serves on; every buffer
     * must be back. Loop thread only.
     */
    void releaseLargeBuffers() {
        int spare = largePool.size();
        largePool.clear();
        largeMade -= spare;
        largeLeft.addAndGet(spare);
    }

    /** {@return how many large buffers this loop holds, lent or spare; never more than its allowance gave} */
    int largeBuffersMade() {
        return largeMade;
    }

    /** {@return how many large buffers are lent and not given back} */
    int largeBuffersLent() {
        return largeMade - largePool.size();
    }

    /**
     * Stops the loop: runs {@code finalTask} on the loop thread, closes the selector and waits for
     * the loop to end. Thread-safe, idempotent.
     */
    void stop(Runnable finalTask) {
        if (inLoop()) {
            throw new IllegalStateException("a listener cannot be closed from its own thread");
        }
        if (thread == null && running) {
            // never started (the listener failed while starting): release here
            running = false;
            try {
                finalTask.run();
            } finally {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // nothing left to release
                }
            }
            return;
        }
        onStop = finalTask;
        running = false;
        selector.wakeup();
        awaitEnd();
    }

    /** Waits up to 10 s for the loop to end and release what it holds (its thread then waits for another loop). */
    private void awaitEnd() {
        try {
            ended.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends the loop from its own thread once the current round is done; {@code finalTask} runs last
     * on it, then the selector closes. Nobody waits: a listener closed while connections still relay
     * through it ends its thread this way when the last of them ends. Loop thread only.
     */
    void finish(Runnable finalTask) {
        if (!inLoop()) {
            throw new IllegalStateException("only the loop's own thread finishes it");
        }
        onStop = finalTask;
        running = false;
    }

    private void run() {
        thread = Thread.currentThread(); // before any task asks inLoop()
        try {
            while (running && selector.isOpen()) {
                try {
                    selectOnce();
                } catch (IOException | RuntimeException | LinkageError e) {
                    // A transient failure (the process is out of file descriptors, say): keep
                    // serving, but do not spin on it.
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                runTasks();
                runTimers();
            }
        } finally {
            runTasks();
            try {
                onStop.run();
            } finally {
                for (SelectionKey key : selector.keys()) {
                    closeQuietly(key);
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // nothing left to release
                }
            }
        }
    }

    /** The loop has ended and released everything, and its thread no longer carries its name. */
    private void ended() {
        ended.countDown(); // first: a caller answered by afterStop does not wait again
        afterStop.run();
    }

    private void selectOnce() throws IOException {
        long timeoutMillis = 0;
        Timer next = nextTimer();
        if (next != null) {
            long nanos = next.deadline - System.nanoTime();
            timeoutMillis = nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        }
        int ready;
        if (!tasks.isEmpty() || timeoutMillis < 0) {
            ready = selector.selectNow();
        } else if (spinNanos > 0 && System.nanoTime() - lastEvent < spinNanos) {
            ready = selector.selectNow();
            if (ready == 0) {
                Thread.yield(); // a peer woken on this CPU runs first
                return;
            }
        } else {
            ready = selector.select(timeoutMillis);
        }
        Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
        while (selected.hasNext()) {
            SelectionKey key = selected.next();
            selected.remove();
            Handler handler = (Handler) key.attachment();
            if (!key.isValid() || handler == null) {
                continue;
            }
            try {
                handler.onReady(key);
            } catch (Throwable failure) {
                handler.onError(failure);
            }
        }
        if (ready > 0) {
            lastEvent = System.nanoTime(); // the window starts once the events are handled
        }
    }

    private Timer nextTimer() {
        Timer next = timers.peek();
        while (next != null && next.cancelled) {
            timers.poll();
            next = timers.peek();
        }
        return next;
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            runGuarded(task);
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        Timer next;
        while ((next = nextTimer()) != null && next.deadline - now <= 0) {
            timers.poll();
            runGuarded(next.task);
        }
    }

    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error failure) {
            // one connection's bug must not stop the listener that serves the others
            Thread thread = Thread.currentThread();
            thread.getUncaughtExceptionHandler().uncaughtException(thread, failure);
        }
    }

    private static void closeQuietly(SelectionKey key) {
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing at shutdown: the peer sees whatever the kernel sends
        }
    }
}
