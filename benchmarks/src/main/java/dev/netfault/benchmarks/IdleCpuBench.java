package dev.netfault.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.netfault.FaultListener;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An idle listener uses no CPU: a netfault listener in front of an echo server, holding
 * {@code connections} open connections on which nothing moves (each did one round trip first), is
 * watched for a few seconds. The figure is the CPU time of netfault's threads (named
 * {@code netfault-*}) over that window; the whole process's CPU time is shown beside it.
 */
final class IdleCpuBench {

    private final int connections;
    private final long windowMillis;

    IdleCpuBench(int connections, long windowMillis) {
        this.connections = connections;
        this.windowMillis = windowMillis;
    }

    List<Row> run() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Socket> clients = new ArrayList<>();
        try (EchoServer echo = new EchoServer();
                FaultListener listener = FaultListener.inFrontOf(echo.address()).name("bench-idle-cpu").start()) {
            for (int i = 0; i < connections; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(listener.address(), 5_000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write(7);
                if (client.getInputStream().read() != 7) {
                    throw new IllegalStateException("the echo answered something else through the listener");
                }
            }
            Map<Long, Long> start = netfaultThreadCpu(threads);
            long processStart = os.getProcessCpuTime();
            Thread.sleep(windowMillis); // the window being measured: nothing moves in it
            long process = os.getProcessCpuTime() - processStart;
            Map<Long, Long> end = netfaultThreadCpu(threads);
            long used = 0;
            for (Map.Entry<Long, Long> e : end.entrySet()) {
                used += e.getValue() - start.getOrDefault(e.getKey(), 0L);
            }
            String window = String.format("%.1f s", windowMillis / 1e3);
            if (end.isEmpty()) {
                return List.of(new Row("idle listener (" + connections + " idle conns): CPU of netfault's threads over " + window,
                        "-", "no thread named netfault-*", "-", "<= 5 ms", false));
            }
            return List.of(new Row("idle listener (" + connections + " idle conns, " + end.size()
                    + " netfault threads): their CPU over " + window, "-", Stats.millis(used),
                    "process " + Stats.millis(process), "<= 5 ms", used <= 5_000_000));
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static Map<Long, Long> netfaultThreadCpu(ThreadMXBean threads) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("netfault-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    cpu.put(info.getThreadId(), t);
                }
            }
        }
        return cpu;
    }
}
