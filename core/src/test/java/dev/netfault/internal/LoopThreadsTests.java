package dev.netfault.internal;

import static dev.netfault.testsupport.Sockets.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netfault.FaultListener;
import dev.netfault.internal.agent.InternalThread;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("loop threads: a listener's thread is reused by the next listener, then ends when none comes")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopThreadsTests {

    /**
     * Waits until no thread that an earlier test's listeners left behind waits for a loop: with 16
     * waiting (the limit), a thread whose loop ends does not wait but ends at once, and these tests
     * would measure that instead. Each of those threads ends within its 1 s keep-alive.
     */
    @BeforeEach
    void noThreadOfEarlierTestsWaits() {
        await().atMost(PATIENCE.multipliedBy(2)).until(() -> LoopThreads.idle() == 0);
    }

    @Test
    void aThreadCarriesItsLoopsNameWhileItRunsItAndIsAnInternalDaemon() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> nameInside = new AtomicReference<>();
        Thread thread = LoopThreads.run(() -> {
            nameInside.set(Thread.currentThread().getName());
            waitFor(release);
        }, "netfault-loop-threads-named", () -> { });

        await().atMost(PATIENCE).until(() -> nameInside.get() != null);
        assertThat(nameInside.get()).isEqualTo("netfault-loop-threads-named");
        assertThat(thread).isInstanceOf(InternalThread.class);
        assertThat(thread.isDaemon()).as("a loop never keeps the JVM alive").isTrue();

        release.countDown();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(thread.getName()).isEqualTo(LoopThreads.IDLE_NAME));
    }

    private static final InheritableThreadLocal<String> CREATOR_STATE = new InheritableThreadLocal<>();

    @Test
    void aThreadKeepsNothingOfTheThreadThatStartedIt() throws Exception {
        ClassLoader testLoader = new ClassLoader(getClass().getClassLoader()) {
        };
        Thread creator = Thread.currentThread();
        ClassLoader before = creator.getContextClassLoader();
        CREATOR_STATE.set("the creating test's value");
        creator.setContextClassLoader(testLoader);
        List<String> inherited = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<ClassLoader> loaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try {
            // more threads than may wait idle (16), so that at least 4 are new
            for (int i = 0; i < 20; i++) {
                LoopThreads.run(() -> {
                    inherited.add(String.valueOf(CREATOR_STATE.get()));
                    loaders.add(Thread.currentThread().getContextClassLoader());
                    waitFor(release);
                }, "netfault-loop-threads-detached-" + i, () -> { });
            }
            await().atMost(PATIENCE).until(() -> inherited.size() == 20 && loaders.size() == 20);
        } finally {
            release.countDown();
            CREATOR_STATE.remove();
            creator.setContextClassLoader(before);
        }
        assertThat(inherited).as("inherited thread-local values").containsOnly("null");
        assertThat(loaders).as("context class loaders").doesNotContain(testLoader);
    }

    @Test
    void whatRunsAtTheEndSeesTheThreadAlreadyIdle() {
        AtomicReference<String> nameAtEnd = new AtomicReference<>();

        LoopThreads.run(() -> { }, "netfault-loop-threads-end", () -> nameAtEnd.set(Thread.currentThread().getName()));

        await().atMost(PATIENCE).until(() -> nameAtEnd.get() != null);
        assertThat(nameAtEnd.get()).as("a listener's close() returns once no thread carries its loop's name").isEqualTo(LoopThreads.IDLE_NAME);
    }

    @Test
    void theNextLoopRunsOnTheThreadThatJustWentIdleUnderItsOwnNameAtOnce() {
        Thread first = LoopThreads.run(() -> { }, "netfault-loop-threads-first", () -> { });
        await().atMost(PATIENCE).until(() -> LoopThreads.waiting(first));
        CountDownLatch release = new CountDownLatch(1);

        Thread second = LoopThreads.run(() -> waitFor(release), "netfault-loop-threads-second", () -> { });

        try {
            assertThat(second).as("the most recently idle thread").isSameAs(first);
            assertThat(second.getName()).as("renamed before run() returns, so the loop is found by its name at once")
                    .isEqualTo("netfault-loop-threads-second");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anIdleThreadEndsAfterItsKeepAlive() {
        Thread thread = LoopThreads.run(() -> { }, "netfault-loop-threads-keep-alive", () -> { });
        await().atMost(PATIENCE).until(() -> LoopThreads.waiting(thread));

        long idleSince = System.nanoTime();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(thread.isAlive()).isFalse());

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince))
                .as("it waited for a next loop first (keep-alive 1 s), in ms").isGreaterThanOrEqualTo(500);
    }

    @Test
    void atMost16ThreadsWaitWhenManyLoopsEndTogether() {
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            threads.add(LoopThreads.run(() -> waitFor(release), "netfault-loop-threads-burst-" + i, () -> { }));
        }
        assertThat(threads).doesNotHaveDuplicates();

        release.countDown();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(threads)
                .allMatch(t -> !t.isAlive() || t.getName().equals(LoopThreads.IDLE_NAME)));
        assertThat(threads.stream().filter(Thread::isAlive).count()).as("threads left waiting for a loop").isLessThanOrEqualTo(16);
        assertThat(LoopThreads.idle()).isLessThanOrEqualTo(16);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(threads).noneMatch(Thread::isAlive));
    }

    @Test
    void aListenerStartedAfterAnotherClosedRunsOnItsThread() throws Exception {
        Thread firstLoop;
        try (FaultListener first = FaultListener.standalone().echo().name("loop-threads-a").start()) {
            new Socket(first.address().getAddress(), first.port()).close();
            firstLoop = loopThread("netfault-loop-threads-a-" + first.port());
        }
        assertThat(firstLoop.getName()).as("closed: its loop ended within close()").isEqualTo(LoopThreads.IDLE_NAME);
        await().atMost(PATIENCE).until(() -> LoopThreads.waiting(firstLoop)); // it joins the waiting threads just after

        try (FaultListener second = FaultListener.standalone().echo().name("loop-threads-b").start()) {
            assertThat(loopThread("netfault-loop-threads-b-" + second.port())).isSameAs(firstLoop);
        }
    }

    private static Thread loopThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
