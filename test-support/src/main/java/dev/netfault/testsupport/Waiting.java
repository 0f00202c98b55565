package dev.netfault.testsupport;

import java.time.Duration;
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
}
