package dev.netfault.internal;

import dev.netfault.internal.agent.InternalThread;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads event loops run on. Starting a thread and waiting for it to end take a few hundred
 * microseconds on a small VM (two cross-CPU wake-ups to start it, one to join it), which is most of
 * what a listener started and closed around every test costs. So a thread whose loop has ended
 * waits, named {@link #IDLE_NAME}, for {@link #KEEP_ALIVE_NANOS} for the next loop, and ends if
 * none comes. While it runs a loop it carries that loop's name. Every thread is a daemon and an
 * {@link InternalThread}.
 */
final class LoopThreads {

    /** The name of a thread that waits for a loop. */
    static final String IDLE_NAME = "netfault-idle";

    /** How long a thread waits for its next loop before it ends: 1 s. */
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Threads kept waiting at most: a burst of listeners closed together leaves no crowd behind. */
    private static final int IDLE_LIMIT = 16;

    private static final Object LOCK = new Object();
    // Under LOCK: the most recently idle first, so the others time out and end.
    private static final ArrayDeque<Carrier> IDLE = new ArrayDeque<>();

    private LoopThreads() {
    }

    /**
     * {@return the thread that now runs {@code loop}, renamed {@code name}: one that waits, or a new
     * one} Once {@code loop} returns, the thread takes the name {@link #IDLE_NAME} and then runs
     * {@code ended}: whoever waits for the loop's end sees its name gone.
     */
    static Thread run(Runnable loop, String name, Runnable ended) {
        Runnable task = () -> {
            try {
                loop.run();
            } finally {
                Thread.currentThread().setName(IDLE_NAME);
                ended.run();
            }
        };
        Carrier carrier;
        synchronized (LOCK) {
            carrier = IDLE.pollFirst();
            if (carrier != null) {
                carrier.next = task;
                carrier.thread.setName(name); // now, so that the loop is found by its name as soon as it runs
            }
        }
        if (carrier != null) {
            LockSupport.unpark(carrier.thread);
            return carrier.thread;
        }
        carrier = new Carrier(task, name);
        carrier.thread.start();
        return carrier.thread;
    }

    /** {@return whether {@code thread} waits for a loop now (it joins the waiting ones just after its loop's end is signalled)} */
    static boolean waiting(Thread thread) {
        synchronized (LOCK) {
            return IDLE.stream().anyMatch(carrier -> carrier.thread == thread);
        }
    }

    /** {@return how many threads wait for a loop now} */
    static int idle() {
        synchronized (LOCK) {
            return IDLE.size();
        }
    }

    /** A thread and the loop it is to run next. */
    private static final class Carrier implements Runnable {
        final Thread thread;
        // Under LOCK.
        private Runnable next;

        Carrier(Runnable first, String name) {
            this.next = first;
            this.thread = InternalThread.detached(this, name); // it may serve other tests' listeners
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            Runnable loop;
            synchronized (LOCK) {
                loop = next;
                next = null;
            }
            while (loop != null) {
                try {
                    loop.run();
                } catch (RuntimeException | Error failure) {
                    thread.getUncaughtExceptionHandler().uncaughtException(thread, failure);
                }
                Thread.interrupted(); // the next loop starts with a clean slate
                loop = awaitNext();
            }
        }

        /** {@return the next loop given to this thread, or null once it waited for none for the keep-alive} */
        private Runnable awaitNext() {
            synchronized (LOCK) {
                if (IDLE.size() >= IDLE_LIMIT) {
                    return null;
                }
                IDLE.addFirst(this);
            }
            long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
            while (true) {
                synchronized (LOCK) {
                    if (next != null) {
                        Runnable loop = next;
                        next = null;
                        return loop;
                    }
                    if (deadline - System.nanoTime() <= 0) {
                        IDLE.remove(this);
                        return null;
                    }
                }
                LockSupport.parkNanos(LoopThreads.class, deadline - System.nanoTime());
            }
        }
    }
}
