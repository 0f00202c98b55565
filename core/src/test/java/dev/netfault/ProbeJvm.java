package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a probe's {@code main} in a JVM of its own, for tests of what a process-wide limit does to a listener. */
final class ProbeJvm {

    private ProbeJvm() {
    }

    /**
     * Runs {@code probe} with this JVM's class path under {@code bash -c "<shellPrefix> exec java
     * <jvmOption> ..."}, and {@return its {@code key=value} lines} once it exited with status 0.
     *
     * @param shellPrefix a shell command and {@code &&} to run first (a {@code ulimit}), or empty
     */
    static Map<String, String> report(Class<?> probe, String shellPrefix, String jvmOption) throws Exception {
        Path out = Files.createTempFile("netfault-probe", ".out");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder("bash", "-c", shellPrefix + " exec \"$0\" " + jvmOption + " -cp \"$1\" " + probe.getName(),
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
