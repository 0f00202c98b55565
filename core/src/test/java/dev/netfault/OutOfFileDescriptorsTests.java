package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a listener in a process that runs out of file descriptors")
class OutOfFileDescriptorsTests {

    @Test
    void pausesAcceptingInsteadOfSpinningAndRecoversOnceDescriptorsAreFree() throws Exception {
        Map<String, String> report = runWithFewDescriptors(OutOfFileDescriptorsProbe.class);

        assertThat(Long.parseLong(report.get("loopCpuMillisPerSecond"))).as("the loop's CPU while out of descriptors (a spin is ~1000)")
                .isLessThan(300);
        assertThat(Long.parseLong(report.get("acceptFailedEvents"))).as("ACCEPT_FAILED events: one per episode, not one per retry")
                .isBetween(1L, 20L);
        assertThat(Integer.parseInt(report.get("acceptedAfter"))).as("accepts resume once descriptors are free")
                .isGreaterThan(Integer.parseInt(report.get("acceptedBefore")));
        assertThat(report.get("loopAlive")).isEqualTo("true");
    }

    @Test
    void logsTheFailedAcceptEvenWhenItsFirstAcceptFindsNoDescriptor() throws Exception {
        // The journal's event class must be loaded before the descriptors run out: loading a class
        // from a directory takes one.
        Map<String, String> report = runWithFewDescriptors(NoDescriptorForAnAcceptProbe.class);

        assertThat(report.get("events")).contains("ACCEPT_FAILED").contains("Too many open files");
    }

    /**
     * Runs {@code probe}'s main in a JVM limited to 256 file descriptors, and {@return its
     * {@code key=value} lines} once it exited with status 0.
     */
    private static Map<String, String> runWithFewDescriptors(Class<?> probe) throws Exception {
        Path out = Files.createTempFile("netfault-emfile", ".out");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // bash's ulimit -n sets the soft and the hard limit, so the JVM cannot raise it again.
            Process process = new ProcessBuilder("bash", "-c", "ulimit -n 256 && exec \"$0\" -cp \"$1\" " + probe.getName(),
                    java, System.getProperty("java.class.path"))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
            Map<String, String> report = new HashMap<>();
            for (String line : lines) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    report.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return report;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
