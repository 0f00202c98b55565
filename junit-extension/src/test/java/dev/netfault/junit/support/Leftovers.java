package dev.netfault.junit.support;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** What netfault could leave behind in this JVM: threads and file descriptors. */
public final class Leftovers {

    /** The name of the hang guard's timer thread, which outlives a test by its keep-alive of 1 s. */
    public static final String HANG_GUARD_THREAD = "netfault-hang-guard";

    /** The name of a thread whose listener loop has ended, while it waits up to 1 s to run the next listener's loop. */
    public static final String IDLE_LOOP_THREAD = "netfault-idle";

    private static final Path FILE_DESCRIPTORS = Path.of("/proc/self/fd");

    private Leftovers() {
    }

    /** {@return the names of live threads that netfault started} */
    public static List<String> netfaultThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("netfault-"))
                .sorted()
                .toList();
    }

    /**
     * Asserts that no listener thread is alive, waiting up to 5 s: closing a listener joins its thread
     * unless connections it relays to an upstream live on, and those end as soon as both sides have
     * closed them, which a test that closed its client does within milliseconds. Only the shared hang
     * guard and agent timers may linger, and threads waiting for the next listener's loop.
     */
    public static void assertNoListenerThreads() {
        // the hang guard's and the agent's timers are JVM-wide and end by themselves when idle; listener threads must be gone
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(netfaultThreads()).as("netfault threads")
                .allMatch(t -> t.equals(HANG_GUARD_THREAD) || t.equals("netfault-agent-timer") || t.equals(IDLE_LOOP_THREAD)));
    }

    /** Waits until no netfault thread at all is alive, the hang guard's timer included. */
    public static void awaitNoNetfaultThreads() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(netfaultThreads()).as("netfault threads").isEmpty());
    }

    /** {@return how many file descriptors this process has open (Linux)} */
    public static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(FILE_DESCRIPTORS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
