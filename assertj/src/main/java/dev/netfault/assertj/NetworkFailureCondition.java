package dev.netfault.assertj;

import dev.netfault.Classification;
import dev.netfault.NetworkFailure;
import java.util.List;
import org.assertj.core.api.Condition;
import org.assertj.core.description.TextDescription;

/**
 * A {@link Condition} met by an exception that shows one of the given network failures. When it is
 * not met, its description says what the classifier saw, so that AssertJ's message shows the chain.
 * Made fresh by {@link NetFaultAssertions#networkFailure}: one instance per assertion.
 */
final class NetworkFailureCondition extends Condition<Throwable> {

    private final List<NetworkFailure> expected;

    NetworkFailureCondition(List<NetworkFailure> expected) {
        super(NetworkFailureAssert.describe(expected));
        this.expected = expected;
    }

    @Override
    public boolean matches(Throwable value) {
        if (value == null) {
            describedAs(new TextDescription("%s", NetworkFailureAssert.describe(expected) + ", but nothing was thrown"));
            return false;
        }
        Classification classification = NetworkFailure.classify(value);
        if (expected.contains(classification.failure())) {
            return true;
        }
        describedAs(new TextDescription("%s", NetworkFailureAssert.describe(expected) + ", but the classifier saw "
                + classification.failure() + ":" + System.lineSeparator() + classification.describe()));
        return false;
    }
}
