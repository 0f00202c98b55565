package dev.netfault.benchmarks;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle connections held by one listener: the listener runs in a second JVM with {@code -Xmx256m}
 * ({@link IdleServer}); this JVM opens the clients, has the listener collect garbage and report its
 * heap, then checks that every client is still connected. Once with a plain accept loop that keeps
 * its channels (the direct baseline), once with a stand-alone netfault listener.
 *
 * <p>File descriptors: each process holds one per connection. The JVM raises its soft
 * {@code RLIMIT_NOFILE} to the hard limit at start-up on Linux, so only the hard limit
 * ({@code ulimit -Hn}) matters; both JVMs report the limit they run with.
 */
final class IdleBench {

    private static final long HEAP_TARGET = 256L * 1024 * 1024;

    /** What one listener process reported. */
    record Side(int connected, int alive, long baseline, Map<String, Long> result, long openNanos, long synDrops, String problem) {
        long heap() {
            return result.getOrDefault("heap", -1L);
        }
    }

    private final int count;

    IdleBench(int count) {
        this.count = count;
    }

    List<Row> run() throws Exception {
        UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long room = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
        if (room < count + 100) {
            return List.of(new Row(String.format("%,d idle conns, one listener", count), "-", "-",
                    "this JVM may open only " + room + " more files (hard limit " + os.getMaxFileDescriptorCount()
                            + "); raise ulimit -Hn", "<= 256 MB heap", false));
        }
        Side direct = side("direct");
        Side netfault = side("netfault");
        long perConnection = ((netfault.heap() - netfault.baseline()) - (direct.heap() - direct.baseline())) / Math.max(1, count);
        boolean held = netfault.problem() == null && netfault.connected() == count && netfault.alive() == count
                && netfault.result().getOrDefault("accepted", 0L) == count && netfault.result().getOrDefault("open", 0L) == count;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(String.format("%,d idle conns, listener JVM -Xmx256m: heap after GC", count),
                mb(direct.heap()), mb(netfault.heap()),
                String.format("+%s (%,d B/conn more)", mb(netfault.heap() - direct.heap()), perConnection),
                "<= 256 MB, all held", held && netfault.heap() <= HEAP_TARGET));
        rows.add(Row.info("  held (accepted / open at server / alive at client)",
                held(direct), held(netfault), "fds " + direct.result().get("fds") + " / " + netfault.result().get("fds")));
        rows.add(Row.info("  heap before any connection / direct buffers",
                mb(direct.baseline()) + " / " + mb(direct.result().getOrDefault("direct", 0L)),
                mb(netfault.baseline()) + " / " + mb(netfault.result().getOrDefault("direct", 0L)),
                "fd limit " + netfault.result().get("fdLimit") + " (clients' JVM " + os.getMaxFileDescriptorCount() + ")"));
        rows.add(Row.info(String.format("  time to open %,d connections (accept queue overflows)", count),
                Stats.millis(direct.openNanos()) + " (" + direct.synDrops() + ")",
                Stats.millis(netfault.openNanos()) + " (" + netfault.synDrops() + ")",
                String.format("%.2f x", (double) netfault.openNanos() / direct.openNanos())));
        for (Side side : List.of(direct, netfault)) {
            if (side.problem() != null) {
                rows.add(Row.info("  problem", "", "", side.problem()));
            }
        }
        return rows;
    }

    private static String held(Side side) {
        return side.result().get("accepted") + "/" + side.result().get("open") + "/" + side.alive();
    }

    private Side side(String kind) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "idle-server", kind)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<SocketChannel> clients = new ArrayList<>(count);
        String problem = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            int port = (int) value(out.readLine(), "PORT");
            long baseline = value(out.readLine(), "BASELINE");
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            long overflowsBefore = listenOverflows();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < count; i++) {
                    clients.add(SocketChannel.open(address));
                }
            } catch (IOException e) {
                problem = kind + ": connect " + (clients.size() + 1) + " failed: " + e;
            }
            long openNanos = System.nanoTime() - start;
            long synDrops = listenOverflows() - overflowsBefore;
            in.write("MEASURE " + clients.size() + "\n");
            in.flush();
            Map<String, Long> result = parse(out.readLine());
            int alive = 0;
            ByteBuffer probe = ByteBuffer.allocate(1);
            for (SocketChannel client : clients) {
                // A connection the server still holds has nothing to read yet: 0, not -1 or a reset.
                client.configureBlocking(false);
                try {
                    if (client.read(probe.clear()) == 0) {
                        alive++;
                    }
                } catch (IOException e) {
                    // reset: not held
                }
            }
            for (SocketChannel client : clients) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0); // RST: no TIME_WAIT left behind
                client.close();
            }
            in.write("EXIT\n");
            in.flush();
            return new Side(clients.size(), alive, baseline, result, openNanos, synDrops, problem);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * {@return the kernel's count of connections dropped because an accept queue was full (each costs
     * the client a 1 s SYN retransmission), or -1 where {@code /proc/net/netstat} is missing} Counts
     * the whole machine.
     */
    private static long listenOverflows() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] names = lines.get(i).split(" ");
                String[] values = lines.get(i + 1).split(" ");
                for (int j = 0; j < names.length && j < values.length; j++) {
                    if (names[0].equals("TcpExt:") && names[j].equals("ListenOverflows")) {
                        return Long.parseLong(values[j]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }

    private static long value(String line, String key) throws IOException {
        if (line == null || !line.startsWith(key + " ")) {
            throw new IOException("the idle-server process said \"" + line + "\" where " + key + " was expected");
        }
        return Long.parseLong(line.substring(key.length() + 1).trim());
    }

    private static Map<String, Long> parse(String line) throws IOException {
        if (line == null || !line.startsWith("RESULT ")) {
            throw new IOException("the idle-server process said \"" + line + "\" where RESULT was expected");
        }
        Map<String, Long> values = new HashMap<>();
        for (String pair : line.substring("RESULT ".length()).split(" ")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1024.0 / 1024.0);
    }
}
