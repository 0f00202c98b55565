package dev.netfault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
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

    /** {@return the report of {@code probe} run in a JVM limited to 256 file descriptors} */
    private static Map<String, String> runWithFewDescriptors(Class<?> probe) throws Exception {
        // bash's ulimit -n sets the soft and the hard limit, so the JVM cannot raise it again.
        return ProbeJvm.report(probe, "ulimit -n 256 &&", "");
    }
}
