package dev.netfault.benchmarks;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.netfault.Closure;
import dev.netfault.FaultListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The listener side of the idle-connections benchmark, run in its own JVM ({@code -Xmx256m}) so
 * that its heap holds nothing but the listener: a stand-alone netfault listener, or (for the
 * direct baseline) a plain blocking accept loop that keeps every accepted channel.
 *
 * <p>Protocol on stdin/stdout: it prints {@code PORT p} and {@code BASELINE heapBytes}; on
 * {@code MEASURE n} it waits for n accepted connections, collects garbage and prints
 * {@code RESULT ...}; on {@code EXIT} (or end of input) it closes and exits.
 */
final class IdleServer {

    private interface Holder extends AutoCloseable {
        int port();

        int accepted();

        /** {@return how many accepted connections are still open on both sides, as far as the server knows} */
        int open();

        @Override
        void close() throws IOException;
    }

    private IdleServer() {
    }

    static void main(String kind) throws Exception {
        try (Holder holder = kind.equals("netfault") ? netfault() : direct();
                BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("PORT " + holder.port());
            System.out.println("BASELINE " + heapAfterGc());
            System.out.flush();
            String line;
            while ((line = commands.readLine()) != null && !line.equals("EXIT")) {
                if (line.startsWith("MEASURE ")) {
                    int expected = Integer.parseInt(line.substring("MEASURE ".length()));
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    while (holder.accepted() < expected && System.nanoTime() - deadline < 0) {
                        Thread.sleep(10);
                    }
                    long heap = heapAfterGc();
                    UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    System.out.println("RESULT accepted=" + holder.accepted() + " open=" + holder.open() + " heap=" + heap
                            + " heapMax=" + Runtime.getRuntime().maxMemory() + " direct=" + directMemory()
                            + " fds=" + openFds() + " fdLimit=" + os.getMaxFileDescriptorCount());
                    System.out.flush();
                }
            }
        }
    }

    private static Holder netfault() {
        FaultListener listener = FaultListener.standalone().name("bench-idle").start();
        return new Holder() {
            @Override
            public int port() {
                return listener.port();
            }

            @Override
            public int accepted() {
                return listener.journal().accepted();
            }

            @Override
            public int open() {
                return (int) listener.journal().connections().stream()
                        .filter(c -> c.clientClosure() == Closure.OPEN && c.listenerClosure() == Closure.OPEN).count();
            }

            @Override
            public void close() {
                listener.close();
            }
        };
    }

    private static Holder direct() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        List<SocketChannel> held = Collections.synchronizedList(new ArrayList<>());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept());
                }
            } catch (IOException e) {
                // closed
            }
        }, "direct-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return new Holder() {
            @Override
            public int port() {
                return server.socket().getLocalPort();
            }

            @Override
            public int accepted() {
                return held.size();
            }

            @Override
            public int open() {
                synchronized (held) {
                    return (int) held.stream().filter(SocketChannel::isOpen).count();
                }
            }

            @Override
            public void close() throws IOException {
                server.close();
                synchronized (held) {
                    for (SocketChannel channel : held) {
                        channel.close();
                    }
                }
            }
        };
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directMemory() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
