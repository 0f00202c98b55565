package dev.netfault.internal;

import dev.netfault.FaultListener;
import java.util.function.Supplier;

/** Starts listeners under a given {@code -Dnetfault.loops}, whatever the machine, for the tests of this package. */
final class LoopsProperty {

    private LoopsProperty() {
    }

    /**
     * Starts a listener while {@code -Dnetfault.loops} is {@code loops} (a listener reads it once, at
     * start), then puts the property back as it was.
     */
    static ListenerEngine startWith(String loops, Supplier<FaultListener> start) {
        String before = System.getProperty(ListenerEngine.LOOPS_PROPERTY);
        System.setProperty(ListenerEngine.LOOPS_PROPERTY, loops);
        try {
            return (ListenerEngine) start.get();
        } finally {
            if (before == null) {
                System.clearProperty(ListenerEngine.LOOPS_PROPERTY);
            } else {
                System.setProperty(ListenerEngine.LOOPS_PROPERTY, before);
            }
        }
    }
}
