package dev.netfault.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.AgentRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the "reached nothing" check reports for rules that reached all, nothing, or not all. */
@DisplayName("the check of what a test's faults reached")
class InstalledFaultsTests {

    private static AgentRule rule(long matches, long unreached) {
        return new AgentRule() {
            @Override
            public String describe() {
                return "refuse db:5432";
            }

            @Override
            public long matches() {
                return matches;
            }

            @Override
            public long unreached() {
                return unreached;
            }

            @Override
            public String describeMatches() {
                return matches + " connect(s), " + unreached + " out of reach";
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aRuleThatReachedWhatItWasAimedAtPasses() {
        InstalledFaults faults = InstalledFaults.empty();
        faults.aim(rule(2, 0), "@RefuseConnections on method 'x()'");
        assertThat(faults.unmatched()).isEmpty();
    }

    @Test
    void aRuleThatReachedSomeButNotConnectionsOpenedBeforeTheAgentIsReported() {
        InstalledFaults faults = InstalledFaults.empty();
        faults.aim(rule(2, 1), "@RefuseConnections on method 'x()'");
        assertThat(faults.unmatched()).get().asString()
                .startsWith("netfault: a fault of this test could not reach every connection it was aimed at, so the test may have"
                        + " passed without meeting it:\n  - @RefuseConnections on method 'x()': refuse db:5432 (2 connect(s), 1 out of reach)");
    }

    @Test
    void nothingIsReportedOnceTheFaultsWereReleasedEarly() {
        InstalledFaults faults = InstalledFaults.empty();
        faults.aim(rule(0, 0), "@RefuseConnections on method 'x()'");
        assertThat(faults.unmatched()).isPresent();
        faults.close();
        assertThat(faults.unmatched()).isEmpty();
    }
}
