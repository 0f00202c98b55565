package dev.netfault.assertj;

import static dev.netfault.assertj.NetFaultAssertions.*;
import static org.assertj.core.api.Assertions.*;

import dev.netfault.FaultListener;
import dev.netfault.NetworkFailure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * NetFaultAssertions beside AssertJ's Assertions, both imported on demand: that this class compiles is
 * half the test; the assertions below check that each call reached the intended class.
 */
@DisplayName("static imports of AssertJ's Assertions and NetFaultAssertions together")
class StaticImportsTests {

    @Test
    void bothOnDemand() {
        try (FaultListener listener = FaultListener.standalone().start()) {
            JournalAssert journal = assertThat(listener.journal()).hasAccepted(0);
            assertThat(journal).isInstanceOf(JournalAssert.class);
            assertThat("AssertJ's own").startsWith("AssertJ");
            assertThatNetworkFailure(catchThrowable(() -> { })).isNotANetworkFailure();
            assertThatThrownBy(() -> { throw RealFailures.connectionReset(); })
                    .asInstanceOf(NETWORK_FAILURE).isConnectionReset();
            assertThatThrownBy(() -> { throw RealFailures.connectionReset(); })
                    .is(networkFailure(NetworkFailure.CONNECTION_RESET));
        }
    }
}
