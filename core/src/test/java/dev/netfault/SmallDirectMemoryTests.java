package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a listener in a JVM whose direct memory has no room for a large buffer")
class SmallDirectMemoryTests {

    @Test
    void relaysABusyConnectionInSmallBuffersInsteadOfResettingIt() throws Exception {
        Map<String, String> report = ProbeJvm.report(SmallDirectMemoryProbe.class, "", "-XX:MaxDirectMemorySize=1m");

        assertThat(report.get("clientFailure")).isEqualTo("none");
        assertThat(Long.parseLong(report.get("received"))).as("bytes the server received").isEqualTo(SmallDirectMemoryProbe.BYTES);
        assertThat(report).doesNotContainKey("sinkFailure");
    }
}
