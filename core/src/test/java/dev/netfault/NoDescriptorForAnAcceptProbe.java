package dev.netfault;

import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs in a JVM started with a low file-descriptor limit: takes every descriptor but one with open
 * files, connects to a fresh stand-alone listener with that one, so that the listener's very first
 * accept fails (EMFILE), then reports the journal's events as a {@code events=} line.
 */
public final class NoDescriptorForAnAcceptProbe {

    public static void main(String[] args) throws Exception {
        Path devNull = Path.of("/dev/null");
        try (FaultListener listener = FaultListener.standalone().start()) {
            List<FileChannel> held = new ArrayList<>();
            try {
                while (held.size() < 10_000) {
                    held.add(FileChannel.open(devNull));
                }
            } catch (Exception expected) {
                // out of descriptors
            }
            held.remove(held.size() - 1).close();
            SocketChannel client = SocketChannel.open(listener.address()); // the last descriptor
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listener.journal().events().isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            for (FileChannel file : held) {
                file.close();
            }
            client.close();
            // No reference to JournalEvent in this class: verifying it could load that class early.
            System.out.println("events=" + listener.journal().events());
        }
    }
}
