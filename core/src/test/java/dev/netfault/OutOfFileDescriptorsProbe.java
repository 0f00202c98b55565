package dev.netfault;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs in a JVM started with a low file-descriptor limit: exhausts the descriptors with clients of
 * a stand-alone listener, then reports how the listener behaved, as {@code key=value} lines.
 */
public final class OutOfFileDescriptorsProbe {

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean(); // loaded while descriptors remain
        try (FaultListener listener = FaultListener.standalone().start()) {
            SocketChannel.open(listener.address()).close(); // so is the JDK's close path
            Thread loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("netfault-")).findFirst().orElseThrow();
            List<SocketChannel> clients = new ArrayList<>();
            try {
                while (clients.size() < 10_000) {
                    clients.add(SocketChannel.open(listener.address()));
                }
            } catch (Exception expected) {
                System.out.println("clientsOpened=" + clients.size());
            }
            long cpuBefore = threads.getThreadCpuTime(loop.getId());
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // the probe measures a second of being out of descriptors
            long cpuAfter = threads.getThreadCpuTime(loop.getId());
            int acceptedBefore = listener.journal().accepted();
            for (int i = 0; i < 50 && !clients.isEmpty(); i++) {
                clients.remove(clients.size() - 1).close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listener.journal().accepted() <= acceptedBefore && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            System.out.println("loopCpuMillisPerSecond=" + (cpuAfter - cpuBefore) / 1_000_000);
            System.out.println("acceptFailedEvents=" + listener.journal().events().stream()
                    .filter(e -> e.type() == JournalEvent.Type.ACCEPT_FAILED).count());
            System.out.println("acceptedBefore=" + acceptedBefore);
            System.out.println("acceptedAfter=" + listener.journal().accepted());
            System.out.println("loopAlive=" + loop.isAlive());
            for (SocketChannel client : clients) {
                client.close();
            }
        }
    }
}
