package dev.netfault.internal.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Loads netfault's agent into this JVM through HotSpot's own attach listener, from inside the JVM:
 * the handshake that the JDK's attach client performs from another process (a trigger file in
 * {@code /tmp}, a SIGQUIT, then one {@code load instrument} command over the listener's Unix-domain
 * socket). ByteBuddy's self-attach starts a second JVM to do the same, because the JDK's client
 * refuses to attach to its own process; that JVM is most of the first install's cost.
 *
 * <p>Only where it is known to be safe: Linux, a HotSpot JVM, no {@code -XX:+DisableAttachMechanism},
 * and SIGQUIT sent only if the JVM catches it (under {@code -Xrs} it does not, and the signal would
 * end the process; there the JVM starts its attach listener at startup, so no signal is needed).
 * Anything else, or anything unexpected on the way, throws {@link Unavailable} with the reason, and
 * the caller attaches the usual way.
 */
final class SelfAttach {

    /** System property: {@code bytebuddy} skips this path and always self-attaches through ByteBuddy. */
    static final String ATTACH_PROPERTY = "netfault.agent.attach";

    /** Why this path cannot be taken here; the caller falls back. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason);
        }

        Unavailable(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private static final int SIGQUIT = 3;
    private static final Path TMP = Path.of("/tmp"); // HotSpot's temp directory on Linux, whatever java.io.tmpdir says

    private SelfAttach() {
    }

    /**
     * {@return the JVM's instrumentation, after loading {@code agentJar} (whose {@code Agent-Class}
     * is {@link AgentEntry}) through the attach listener}
     *
     * @throws Unavailable if this JVM cannot be attached to this way; nothing is left behind
     */
    static Instrumentation attach(Path agentJar, Duration timeout) throws Unavailable {
        String vm = System.getProperty("java.vm.name", "");
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new Unavailable("not Linux");
        }
        if (!vm.contains("HotSpot") && !vm.contains("OpenJDK")) {
            throw new Unavailable("not a HotSpot JVM: " + vm);
        }
        if ("bytebuddy".equals(System.getProperty(ATTACH_PROPERTY))) {
            throw new Unavailable("-D" + ATTACH_PROPERTY + "=bytebuddy");
        }
        if (attachDisabled()) {
            throw new Unavailable("-XX:+DisableAttachMechanism");
        }
        long pid = ProcessHandle.current().pid();
        Path socket = TMP.resolve(".java_pid" + pid);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            startListener(pid, socket, deadline);
        }
        String reply = load(socket, agentJar, deadline);
        Instrumentation inst = instrumentation();
        if (inst == null) {
            throw new Unavailable("the attach listener answered '" + reply.strip().replace('\n', ' ') + "' but the agent did not start");
        }
        return inst;
    }

    /** {@return whether the command line or the JDK's option variables turn the attach listener off} */
    private static boolean attachDisabled() throws Unavailable {
        StringBuilder options = new StringBuilder();
        try {
            options.append(new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Unavailable("/proc/self/cmdline is unreadable", e);
        }
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            options.append(' ').append(System.getenv().getOrDefault(variable, ""));
        }
        return options.indexOf("+DisableAttachMechanism") >= 0 || options.indexOf("-XX:Flags=") >= 0 || options.indexOf("-XX:VMOptionsFile") >= 0;
    }

    /**
     * Asks the JVM to start its attach listener: a trigger file it looks for when it gets SIGQUIT.
     * Raised only if the JVM catches SIGQUIT (a JVM that does not, under {@code -Xrs}, would die of
     * it); without the trigger file the JVM would print a thread dump instead, so the file is made first.
     */
    private static void startListener(long pid, Path socket, long deadline) throws Unavailable {
        if (!catchesQuit()) {
            throw new Unavailable("the JVM does not handle SIGQUIT (-Xrs)");
        }
        Path trigger = TMP.resolve(".attach_pid" + pid);
        boolean made = false;
        try {
            try {
                Files.createFile(trigger);
                made = true;
            } catch (FileAlreadyExistsException e) {
                // a client in another process is starting the listener too: the same signal serves both
            }
            raiseQuit(pid, deadline);
            while (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new Unavailable("the attach listener did not start");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } catch (IOException e) {
            throw new Unavailable("cannot write " + trigger, e);
        } finally {
            if (made) {
                try {
                    Files.deleteIfExists(trigger);
                } catch (IOException ignored) {
                    // the JVM's own client leaves it just as well
                }
            }
        }
    }

    /** {@return whether this process catches SIGQUIT, from the caught-signals mask in /proc/self/status} */
    private static boolean catchesQuit() throws Unavailable {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigCgt:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigCgt:".length()).trim(), 16);
                    return (mask & (1L << (SIGQUIT - 1))) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new Unavailable("/proc/self/status is unreadable", e);
        }
        return false;
    }

    /**
     * Sends SIGQUIT to this process with the system's {@code kill}: the JDK raises from Java only
     * signals that Java code handles, and SIGQUIT is the JVM's own.
     */
    private static void raiseQuit(long pid, long deadline) throws Unavailable {
        Path kill = Files.isExecutable(Path.of("/bin/kill")) ? Path.of("/bin/kill") : Path.of("/usr/bin/kill");
        if (!Files.isExecutable(kill)) {
            throw new Unavailable("no kill command in /bin or /usr/bin to send SIGQUIT with");
        }
        try {
            Process process = new ProcessBuilder(kill.toString(), "-QUIT", Long.toString(pid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new Unavailable(kill + " did not finish in time");
            }
            if (process.exitValue() != 0) {
                throw new Unavailable(kill + " -QUIT " + pid + " failed with exit code " + process.exitValue());
            }
        } catch (IOException e) {
            throw new Unavailable("cannot run " + kill, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while sending SIGQUIT", e);
        }
    }

    /**
     * Sends {@code load instrument false <jar>} in the listener's first protocol version, which every
     * supported JDK accepts, and reads the reply to its end. {@return the reply}
     */
    private static String load(Path socket, Path agentJar, long deadline) throws Unavailable {
        byte[] request = ("1\0load\0instrument\0false\0" + agentJar.toAbsolutePath() + "\0").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(512);
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_READ);
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new Unavailable("the attach listener did not answer in time");
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                    int n = channel.read(in.clear());
                    if (n < 0) {
                        break;
                    }
                    reply.write(in.array(), 0, n);
                }
            }
        } catch (IOException e) {
            throw new Unavailable("the attach listener at " + socket + " failed", e);
        }
        String text = reply.toString(StandardCharsets.UTF_8);
        if (!text.startsWith("0\n")) {
            throw new Unavailable("the attach listener refused: " + text.strip().replace('\n', ' '));
        }
        return text;
    }

    /**
     * {@return the instrumentation the agent received} The JVM loads the agent class through the
     * system class loader: netfault's own {@link AgentEntry} when netfault is on the class path, else
     * the copy in the agent jar, read reflectively.
     */
    private static Instrumentation instrumentation() throws Unavailable {
        try {
            Class<?> entry = Class.forName(AgentEntry.class.getName(), true, ClassLoader.getSystemClassLoader());
            if (entry == AgentEntry.class) {
                return AgentEntry.instrumentation();
            }
            Method get = entry.getDeclaredMethod("instrumentation");
            get.setAccessible(true);
            return (Instrumentation) get.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new Unavailable("the agent's instrumentation is out of reach", e);
        }
    }

    /** {@return the bytes of {@link AgentEntry}'s class file, for the agent jar} */
    static byte[] agentEntryClass() throws IOException {
        String resource = AgentEntry.class.getName().replace('.', '/') + ".class";
        try (InputStream in = AgentEntry.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from netfault's jar");
            }
            return in.readAllBytes();
        }
    }
}
