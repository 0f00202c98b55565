package dev.netfault.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the hooks jar: one per content, shared, nothing left behind")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HooksJarTests {

    private static final String ENTRY = "dev/netfault/internal/boot/NetFaultHooks.class";
    private static final byte[] CONTENT = "not really a class".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmpdir;

    /** {@return every file under {@code root}, relative to it, sorted} */
    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void isWrittenOnceIntoAnOwnerOnlyDirectoryAndThenReused() throws IOException {
        Path first = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);
        FileTime written = Files.getLastModifiedTime(first);
        Path second = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);

        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second)).as("not written again").isEqualTo(written);
        assertThat(first.getParent().getParent()).isEqualTo(tmpdir);
        assertThat(first.getFileName().toString()).matches("netfault-hooks-[0-9a-f]{8}-[0-9a-f]+\\.jar");
        assertThat(HooksJar.holds(first, ENTRY, CONTENT)).isTrue();
        assertThat(files(tmpdir)).containsExactly(tmpdir.relativize(first).toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void anotherContentGetsAnotherJar() throws IOException {
        Path one = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);
        Path other = HooksJar.in(tmpdir).materialize(ENTRY, "another version".getBytes(StandardCharsets.US_ASCII));

        assertThat(other).isNotEqualTo(one).hasParent(one.getParent());
        assertThat(HooksJar.holds(one, ENTRY, CONTENT)).isTrue();
    }

    @Test
    void aTornOrForeignJarIsReplaced() throws IOException {
        Path jar = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);
        Files.write(jar, new byte[] {'P', 'K', 3}); // what a write cut short would leave, had it not been atomic

        assertThat(HooksJar.in(tmpdir).materialize(ENTRY, CONTENT)).isEqualTo(jar);
        assertThat(HooksJar.holds(jar, ENTRY, CONTENT)).isTrue();
    }

    @Test
    void removesWhatDeadJvmsLeftOnceItIsStaleAndNothingYounger() throws IOException {
        Path dir = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT).getParent();
        FileTime old = FileTime.from(Instant.now().minus(HooksJar.STALE).minus(Duration.ofMinutes(1)));
        Path staleTemp = Files.setLastModifiedTime(Files.createFile(dir.resolve("netfault-hooks-123.tmp")), old);
        Path freshTemp = Files.createFile(dir.resolve("netfault-hooks-456.tmp"));
        Path staleLegacy = Files.setLastModifiedTime(Files.createFile(tmpdir.resolve("netfault-hooks789.jar")), old);
        Path freshLegacy = Files.createFile(tmpdir.resolve("netfault-hooks012.jar"));
        Path unrelated = Files.setLastModifiedTime(Files.createFile(tmpdir.resolve("someone-elses.jar")), old);

        HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);

        assertThat(staleTemp).doesNotExist();
        assertThat(staleLegacy).doesNotExist();
        assertThat(freshTemp).as("another JVM may be writing it").exists();
        assertThat(freshLegacy).as("another JVM may be using it").exists();
        assertThat(unrelated).exists();
    }

    @Test
    void checksAndSweepsItsDirectoryOnceForEveryJarWrittenThroughIt() throws IOException {
        HooksJar jars = HooksJar.in(tmpdir);
        Path dir = jars.materialize(ENTRY, CONTENT).getParent();
        FileTime old = FileTime.from(Instant.now().minus(HooksJar.STALE).minus(Duration.ofMinutes(1)));
        Path staleTemp = Files.setLastModifiedTime(Files.createFile(dir.resolve("netfault-hooks-123.tmp")), old);

        Path agent = jars.materialize("dev/netfault/internal/agent/AgentEntry.class", CONTENT, "dev.netfault.internal.agent.AgentEntry");

        assertThat(agent).hasParent(dir);
        assertThat(agent.getFileName().toString()).matches("netfault-hooks-[0-9a-f]{8}-[0-9a-f]+-agent\\.jar");
        assertThat(HooksJar.holds(agent, "dev/netfault/internal/agent/AgentEntry.class", CONTENT, "dev.netfault.internal.agent.AgentEntry"))
                .isTrue();
        assertThat(staleTemp).as("swept when the directory is taken, not again per jar").exists();
        HooksJar.in(tmpdir);
        assertThat(staleTemp).as("swept by the next install").doesNotExist();
    }

    @Test
    void refusesADirectoryOthersMayWrite() throws IOException {
        Path dir = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT).getParent();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));

        assertThatThrownBy(() -> HooksJar.in(tmpdir)).isInstanceOf(IOException.class)
                .hasMessage(dir + " is writable by others or not by this user (rwxrwx---)");
    }

    @Test
    void concurrentWritersAllGetTheSameIntactJar() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Path>> writers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                writers.add(() -> {
                    Path jar = HooksJar.in(tmpdir).materialize(ENTRY, CONTENT);
                    assertThat(HooksJar.holds(jar, ENTRY, CONTENT)).isTrue();
                    return jar;
                });
            }
            List<Path> jars = new ArrayList<>();
            for (Future<Path> jar : pool.invokeAll(writers)) {
                jars.add(jar.get());
            }
            assertThat(jars).hasSize(32).containsOnly(jars.get(0));
            assertThat(files(tmpdir)).as("no temporary file left").containsExactly(tmpdir.relativize(jars.get(0)).toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void jvmsKilledAfterInstallingTheAgentLeaveTheSharedJarsBehindAndNothingElse() throws Exception {
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // at once: they race to write the jar
            jvms.add(haltingJvm());
        }
        jvms.add(haltingJvm()); // and one more once the jar is there
        for (Process jvm : jvms) {
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
            String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).as("its output").contains("installed");
            assertThat(jvm.exitValue()).isZero();
        }

        List<String> left = files(tmpdir);
        assertThat(left).as("the hooks jar and the agent jar the attach listener loads, shared").hasSize(2)
                .anySatisfy(jar -> assertThat(jar).matches("netfault-[^/]+/netfault-hooks-[0-9a-f]{8}-[0-9a-f]+\\.jar"))
                .anySatisfy(jar -> assertThat(jar).matches("netfault-[^/]+/netfault-hooks-[0-9a-f]{8}-[0-9a-f]+-agent\\.jar"));
    }

    private Process haltingJvm() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 21) {
            command.add("-XX:+EnableDynamicAgentLoading");
        }
        command.add("-Djava.io.tmpdir=" + tmpdir);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(HaltAfterInstall.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
