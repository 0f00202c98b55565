package dev.netfault.junit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

@DisplayName("@Fixture")
class FixtureGuardTests {

    @Test
    void skipsAFixtureThatIsNotRunThroughTheKit() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingFixture.class)).execute();

        assertThat(results.testEvents().started().count()).isZero();
        assertThat(results.containerEvents().skipped().list()).singleElement()
                .satisfies(e -> assertThat(e.getPayload(String.class))
                        .contains("a fixture of netfault's own tests: it runs only through the Engine Test Kit"));
    }

    @Test
    void runsItThroughTheKit() {
        EngineExecutionResults results = Kit.run(FailingFixture.class);

        assertThat(Kit.failure(results, "failsWheneverItRuns")).hasMessage("ran");
    }

    @Fixture
    static class FailingFixture {
        @Test
        void failsWheneverItRuns() {
            fail("ran");
        }
    }
}
