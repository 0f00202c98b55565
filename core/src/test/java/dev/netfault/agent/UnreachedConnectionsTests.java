package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Never silently miss: connections opened before the agent was installed are counted as out of a rule's reach. */
@DisplayName("connections opened before the agent was installed")
class UnreachedConnectionsTests {

    @Test
    void areCountedAsOutOfTheRulesReachAndTheOnesItSawAreReached() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 21) {
            command.add("-XX:+EnableDynamicAgentLoading");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(UnreachedProbe.class.getName());
        Path out = Files.createTempFile("netfault-unreached", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).as(String.join("\n", lines))
                    .contains("time-out matches=1 unreached=1")
                    .contains("time-out says: 0 connect(s), 1 connection(s) already open when it was made; 1 connection(s) to the target"
                            + " were open before netfault's agent was installed: the fault cannot reach them")
                    .contains("other target unreached=0");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
