package dev.netfault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("-Dnetfault.loop.spinMicros: how long a listener polls after its last event")
class EventLoopSpinPropertyTests {

    @Test
    void defaultsTo100MicrosecondsWithTwoOrMoreCpus() {
        assertThat(EventLoop.spinNanos(null, 2)).isEqualTo(100_000);
        assertThat(EventLoop.spinNanos(null, 16)).isEqualTo(100_000);
    }

    @Test
    void defaultsToNoPollingOnOneCpu() {
        assertThat(EventLoop.spinNanos(null, 1)).isZero();
    }

    @Test
    void aGivenValueHoldsOnOneCpuToo() {
        assertThat(EventLoop.spinNanos("100", 1)).isEqualTo(100_000);
    }

    @Test
    void zeroNeverPolls() {
        assertThat(EventLoop.spinNanos("0", 2)).isZero();
    }

    @Test
    void takesWholeMicrosecondsUpTo10Milliseconds() {
        assertThat(EventLoop.spinNanos(" 250 ", 2)).isEqualTo(250_000);
        assertThat(EventLoop.spinNanos("10000", 2)).isEqualTo(10_000_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10001", "1.5", "100us", ""})
    void rejectsAnythingElseNamingThePropertyAndTheFix(String value) {
        assertThatThrownBy(() -> EventLoop.spinNanos(value, 2))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dnetfault.loop.spinMicros must be a whole number of microseconds from 0 to 10000, but was '" + value
                        + "'. Fix: remove it for the default (100), or give 0 to never poll.");
    }
}
