package dev.netfault.benchmarks;

import dev.netfault.Fault;
import dev.netfault.FaultListener;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;

/**
 * No thread count growth over many tests: {@code count} netfault listeners, one after another,
 * each started with one fault, reached by one client connection and closed, as a test suite of
 * that many tests would. The live thread count is read before (after a warm-up, so that anything
 * created once per JVM already exists) and after, once the threads that were ending have ended.
 */
final class ThreadGrowthBench {

    private final int count;

    ThreadGrowthBench(int count) {
        this.count = count;
    }

    List<Row> run() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 100; i++) { // warm-up
            once();
        }
        int before = settled(threads, Integer.MAX_VALUE);
        threads.resetPeakThreadCount();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            once();
        }
        long elapsed = System.nanoTime() - start;
        int peak = threads.getPeakThreadCount();
        int after = settled(threads, before);
        return List.of(new Row(String.format("live threads before (direct column) / after %,d listeners (start, 1 conn, close; peak %d)", count, peak),
                String.valueOf(before), String.valueOf(after),
                String.format("%+d (%.2f ms per listener)", after - before, elapsed / 1e6 / count), "no growth", after <= before));
    }

    private static void once() throws Exception {
        try (FaultListener listener = FaultListener.standalone().fault(Fault.reset()).name("bench-threads").start();
                Socket client = new Socket()) {
            client.connect(listener.address(), 5_000);
        } catch (SocketException e) {
            // the listener's reset reached the client while it connected: the fault did its work
        }
    }

    /**
     * {@return the live thread count once it is at most {@code goal} (for {@code Integer.MAX_VALUE}:
     * once it has not changed for half a second); 10 s at most}
     */
    private static int settled(ThreadMXBean threads, int goal) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int last = threads.getThreadCount();
        int unchanged = 0;
        while (goal == Integer.MAX_VALUE ? unchanged < 5 : last > goal) {
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            Thread.sleep(100); // threads that were ending get to end; nothing here can signal that
            int now = threads.getThreadCount();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }
}
