package dev.netfault.benchmarks;

import dev.netfault.junit.Reset;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Trivial tests for the install/remove benchmark, run through the JUnit Platform Launcher: the same
 * empty test with and without {@code @Reset}, so the difference per test is what netfault
 * adds (plan, listener start, hang guard, listener close).
 */
public final class InstallFixtures {

    /** Repetitions per launcher run. */
    static final int REPETITIONS = 100;

    private InstallFixtures() {
    }

    /** No netfault annotation. */
    public static class Plain {
        @RepeatedTest(REPETITIONS)
        void emptyTest() {
        }
    }

    /** The same test with a reset fault installed and removed around it. */
    public static class Annotated {
        @RepeatedTest(REPETITIONS)
        @Reset
        void emptyTest() {
        }
    }
}
