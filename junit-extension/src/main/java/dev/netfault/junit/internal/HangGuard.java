package dev.netfault.junit.internal;

import dev.netfault.junit.HangTimeout;
import dev.netfault.junit.NetFaultConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Watches a test that runs under faults. If it is still running after the hang timeout, the guard
 * records where the test thread is blocked and releases the test's faults, so that a client with
 * no timeout fails (a connect gets refused at its next SYN retry, a read gets reset) instead of
 * hanging for minutes; the test then fails with a message that says which timeout is missing.
 */
public final class HangGuard {

    private static final Pattern DURATION = Pattern.compile("\\s*(\\d+)\\s*(ms|s|m)?\\s*");

    /** The configuration parameter's last value and what it parsed to. */
    private record Parsed(String value, Duration timeout) {
    }

    private static volatile Parsed lastParsed;

    private final Thread watched;
    private final InstalledFaults faults;
    private final Duration timeout;
    /** When the guard fires, in {@link System#nanoTime()}'s terms. */
    private final long deadline;
    private StackTraceElement[] stack;
    private boolean fired;
    private boolean disarmed;

    private HangGuard(Thread watched, InstalledFaults faults, Duration timeout) {
        this.watched = watched;
        this.faults = faults;
        this.timeout = timeout;
        // At most a year ahead: deadlines are compared by difference, which must not overflow.
        this.deadline = System.nanoTime() + Math.min(timeout.toNanos(), TimeUnit.DAYS.toNanos(365));
        Watcher.add(this);
    }

    /** Starts watching the current thread. */
    public static HangGuard watch(InstalledFaults faults, Duration timeout) {
        return new HangGuard(Thread.currentThread(), faults, timeout);
    }

    /**
     * {@return the guard's timeout for the test of {@code context}} The closest {@link HangTimeout},
     * else the configuration parameter, else its default; zero means no guard.
     *
     * @throws ExtensionConfigurationException if either is invalid
     */
    public static Duration timeoutFor(ExtensionContext context) {
        List<Declared<HangTimeout>> declared = Declared.closest(context, HangTimeout.class, false);
        if (!declared.isEmpty()) {
            HangTimeout annotation = declared.get(0).annotation();
            if (annotation.value() < 0) {
                throw new ExtensionConfigurationException(declared.get(0).describe() + ": value must be 0 (no guard) or positive, but was "
                        + annotation.value() + ". Fix: give how long the test may run under its faults, or 0 to turn the guard off.");
            }
            try {
                Duration timeout = Duration.of(annotation.value(), annotation.unit().toChronoUnit());
                timeout.toNanos(); // the guard schedules in nanoseconds: reject what does not fit
                return timeout;
            } catch (ArithmeticException e) {
                throw new ExtensionConfigurationException(declared.get(0).describe() + ": " + annotation.value() + " "
                        + annotation.unit().name().toLowerCase(Locale.ROOT) + " is too long to schedule. Fix: give a shorter duration, or 0 to turn the guard off.");
            }
        }
        String value = context.getConfigurationParameter(NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME)
                .orElse(NetFaultConfig.DEFAULT_HANG_TIMEOUT);
        Parsed last = lastParsed;
        if (last != null && last.value().equals(value)) {
            return last.timeout(); // the same parameter for every test of a run: parsed once
        }
        try {
            Duration timeout = parse(value);
            lastParsed = new Parsed(value, timeout);
            return timeout;
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("Configuration parameter " + NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME
                    + " must be a duration such as 10s, 500ms or 2m (0 turns the guard off), but was \"" + value + "\".");
        }
    }

    /**
     * Parses {@code 10s}, {@code 500ms}, {@code 2m} or a plain number of seconds.
     *
     * @throws IllegalArgumentException if the value does not parse
     */
    public static Duration parse(String value) {
        Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(value);
        }
        try {
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            Duration parsed = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            };
            parsed.toNanos(); // the guard schedules in nanoseconds: reject what does not fit
            return parsed;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(value, e);
        }
    }

    private synchronized void fire() {
        if (disarmed) {
            return;
        }
        fired = true;
        stack = watched.getStackTrace();
        faults.hangGuardFired(timeout, diagnose(stack, timeout));
        faults.resetConnectionsAndClose();
    }

    /** Stops watching. {@return whether the guard fired} */
    public boolean disarm() {
        Watcher.remove(this);
        synchronized (this) {
            disarmed = true;
            return fired;
        }
    }

    /**
     * The one shared thread that fires guards, alive only while some test is watched (and for a
     * second after). It sleeps until the earliest deadline it knows of, at most a second: a guard
     * that ends later joins the queue without waking it, so watching a test and disarming it cost
     * the test thread no hand-off to another thread; only a guard due sooner wakes it.
     */
    private static final class Watcher {
        private static final long KEEP_ALIVE = TimeUnit.SECONDS.toNanos(1);
        private static final Object LOCK = new Object();
        // All under LOCK.
        private static final PriorityQueue<HangGuard> GUARDS = new PriorityQueue<>((a, b) -> Long.compare(a.deadline - b.deadline, 0));
        private static Thread thread;
        /** When the thread wakes next by itself. */
        private static long wakeAt;
        private static long lastAdded;

        private Watcher() {
        }

        static void add(HangGuard guard) {
            synchronized (LOCK) {
                GUARDS.add(guard);
                lastAdded = System.nanoTime();
                if (thread == null) {
                    thread = new Thread(Watcher::run, "netfault-hang-guard");
                    thread.setDaemon(true);
                    wakeAt = guard.deadline;
                    thread.start();
                } else if (guard.deadline - wakeAt < 0) {
                    LOCK.notifyAll(); // due before the thread would look again
                }
            }
        }

        static void remove(HangGuard guard) {
            synchronized (LOCK) {
                GUARDS.remove(guard);
            }
        }

        private static void run() {
            List<HangGuard> due = new ArrayList<>();
            while (true) {
                synchronized (LOCK) {
                    long now = System.nanoTime();
                    HangGuard next;
                    while ((next = GUARDS.peek()) != null && next.deadline - now <= 0) {
                        due.add(GUARDS.poll());
                    }
                    if (due.isEmpty()) {
                        if (GUARDS.isEmpty() && now - lastAdded >= KEEP_ALIVE) {
                            thread = null; // nothing watched for a second: a later guard starts a new thread
                            return;
                        }
                        long sleep = next == null ? KEEP_ALIVE : Math.min(next.deadline - now, KEEP_ALIVE);
                        wakeAt = now + sleep;
                        try {
                            LOCK.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(sleep + 999_999)));
                        } catch (InterruptedException e) {
                            // looks again
                        }
                        continue;
                    }
                }
                for (HangGuard guard : due) {
                    try {
                        guard.fire(); // outside the lock: releasing the faults may take a moment
                    } catch (RuntimeException | Error e) {
                        Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                    }
                }
                due.clear();
            }
        }
    }

    /**
     * {@return the failure message, once the guard fired}
     *
     * @param what the method that ran too long, such as {@code "connects()"} or
     *     {@code "@BeforeEach method setUp() of test connects()"}
     */
    public synchronized String message(String what) {
        StringBuilder s = new StringBuilder("netfault: ").append(what).append(" was still running ")
                .append(describe(timeout)).append(" after it started, under its faults (").append(String.join("; ", faults.summary()))
                .append(" at ").append(faults.where()).append(").\n");
        s.append(diagnose(stack, timeout)).append('\n');
        s.append("netfault released the faults (closed its listeners and reset their connections) so that the test could end.\n")
                .append("If the test really needs longer, annotate it with @HangTimeout or raise the configuration parameter"
                        + " netfault.hang.timeout (0 turns the guard off).\n")
                .append("Where the test thread was when the guard fired:");
        int shown = 0;
        for (StackTraceElement frame : stack) {
            if (shown++ == 25) {
                s.append("\n\t...");
                break;
            }
            s.append("\n\tat ").append(frame);
        }
        return s.toString();
    }

    /**
     * Says what the watched thread was waiting for, and which timeout would end the wait. A connect or
     * read that the JDK times ({@code NioSocketImpl.timedFinishConnect}, {@code timedRead}: the
     * socket has a timeout) is not called untimed: the guard cannot see the timeout's value, only that
     * it is at least {@code hangTimeout}.
     */
    static String diagnose(StackTraceElement[] stack, Duration hangTimeout) {
        String limit = "the hang timeout of " + describe(hangTimeout);
        boolean timed = false; // a JDK frame above the one that names the call shows the JDK waits with a timeout
        for (StackTraceElement frame : stack) {
            String where = frame.getClassName() + "." + frame.getMethodName();
            String method = frame.getMethodName().toLowerCase(Locale.ROOT);
            if (where.startsWith("jdk.internal.net.http.HttpClientImpl.send")) {
                return "It was waiting in java.net.http.HttpClient.send(), which has no timeout unless given one: give the client a"
                        + " connectTimeout (HttpClient.Builder.connectTimeout) and the request a timeout (HttpRequest.Builder.timeout),"
                        + " both shorter than " + limit + ".";
            }
            if (!isJdk(frame)) {
                String grpc = grpcCall(stack);
                if (grpc != null) {
                    return "It was waiting in a gRPC blocking stub call (" + grpc + "), which has no deadline unless given one, or has"
                            + " one at least as long as " + limit + ": set a deadline shorter than that on the call, such as"
                            + " stub.withDeadlineAfter(2, TimeUnit.SECONDS).method(request).";
                }
                return "It was blocked at " + frame + ".";
            }
            timed |= method.startsWith("timed");
            if (method.contains("connect")) {
                return timed
                        ? "It was blocked in connect() (" + where + ") with a connect timeout at least as long as " + limit
                                + " (clients' defaults often are: pgjdbc's connectTimeout is 10 s, Apache HttpClient 5's 3 min)."
                                + " Give the client a connect timeout shorter than the hang timeout, or raise the hang timeout above it."
                        : "It was blocked in connect() (" + where + "): a connect without a timeout waits for the kernel's SYN"
                                + " retries, about 130 s on Linux. Give the client a connect timeout, such as Socket.connect(address, millis).";
            }
            if (method.contains("read")) {
                return timed
                        ? "It was blocked in read() (" + where + ") with a read timeout at least as long as " + limit
                                + " (clients' defaults often are: OkHttp's read timeout is 10 s)."
                                + " Give the client a read timeout shorter than the hang timeout, or raise the hang timeout above it."
                        : "It was blocked in read() (" + where + "): a read without a timeout waits forever on a silent peer."
                                + " Give the client a read timeout, such as Socket.setSoTimeout(millis).";
            }
        }
        return "It was not blocked in a network call that netfault recognizes.";
    }

    /**
     * {@return the outermost frame of a gRPC blocking stub call on the stack, such as
     * "io.grpc.stub.ClientCalls.blockingUnaryCall", or null} Recognized by class name (no gRPC
     * dependency): {@code io.grpc.stub.ClientCalls} and its nested classes, and the blockingV2 stubs'
     * {@code io.grpc.stub.BlockingClientCall}, shaded or not.
     */
    private static String grpcCall(StackTraceElement[] stack) {
        String found = null;
        for (StackTraceElement frame : stack) {
            String c = frame.getClassName();
            if (c.endsWith("grpc.stub.ClientCalls") || c.contains("grpc.stub.ClientCalls$") || c.endsWith("grpc.stub.BlockingClientCall")) {
                found = c + "." + frame.getMethodName();
            }
        }
        return found;
    }

    private static boolean isJdk(StackTraceElement frame) {
        String c = frame.getClassName();
        return c.startsWith("java.") || c.startsWith("sun.") || c.startsWith("jdk.");
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
