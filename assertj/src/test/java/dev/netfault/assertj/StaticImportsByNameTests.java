package dev.netfault.assertj;

import static dev.netfault.assertj.NetFaultAssertions.assertThat;
import static dev.netfault.assertj.NetFaultAssertions.assertThatNetworkFailure;
import static dev.netfault.assertj.NetFaultAssertions.then;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.BDDAssertions.then;

import dev.netfault.FaultListener;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code assertThat} and {@code then} imported by name from both AssertJ and NetFaultAssertions: Java picks the most specific. */
@DisplayName("static imports of assertThat and then by name from both")
class StaticImportsByNameTests {

    @Test
    void bothByName() {
        try (FaultListener listener = FaultListener.standalone().start()) {
            JournalAssert journal = assertThat(listener.journal()).hasAccepted(0);
            JournalAssert bdd = then(listener.journal()).hasAccepted(0);
            then(journal).isNotSameAs(bdd);
            assertThat(listener.journal().connections()).isEmpty();
            assertThatNetworkFailure(new IllegalStateException("not a network failure")).isNotANetworkFailure();
        }
    }
}
