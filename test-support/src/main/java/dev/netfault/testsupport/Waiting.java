package dev.netfault.testsupport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Awaitility, tuned for loopback: what a test waits for usually happened within a millisecond, and
 * the default first poll after 100 ms would make a run of hundreds of tests slow.
 */
public final class Waiting {

    private Waiting() {
    }

    /** {@return an Awaitility condition that checks at once, then every 5 ms, for up to 10 s} */
    public static ConditionFactory await() {
        return Awaitility.await()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .atMost(Duration.ofSeconds(10));
    }

    /**
     * Waits until {@code traffic} (bytes that moved, such as a fault listener's {@code journal()::totalBytes}) has
     * stayed the same for {@code quiet}: the connections idled that long, as a pooled connection does between two
     * requests. For tests whose scenario is an idle client; fails when traffic keeps moving for 10 s more.
     */
    public static void quietFor(Duration quiet, LongSupplier traffic) {
        AtomicLong last = new AtomicLong(traffic.getAsLong());
        await().atMost(quiet.plusSeconds(10)).during(quiet).until(() -> {
            long now = traffic.getAsLong();
            return last.getAndSet(now) == now;
        });
    }
}
