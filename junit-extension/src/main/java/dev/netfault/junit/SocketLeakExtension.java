package dev.netfault.junit;

import dev.netfault.internal.agent.SocketTracker;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/** The extension behind {@link DetectSocketLeaks}. */
final class SocketLeakExtension implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SocketLeakExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        SocketTracker.Session session = SocketTracker.start();
        // Stopped in afterEach; the store closes it too if the test is aborted before that.
        context.getStore(NAMESPACE).put(SocketTracker.Session.class, (AutoCloseable) session::stop);
        context.getStore(NAMESPACE).put("session", session);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SocketTracker.Session session = context.getStore(NAMESPACE).remove("session", SocketTracker.Session.class);
        if (session == null) {
            return;
        }
        List<SocketTracker.Leak> leaks = session.stop();
        if (!leaks.isEmpty()) {
            StringBuilder message = new StringBuilder("@DetectSocketLeaks: ").append(context.getRequiredTestMethod().getName())
                    .append("() left ").append(leaks.size()).append(leaks.size() == 1 ? " socket" : " sockets").append(" open:");
            for (SocketTracker.Leak leak : leaks) {
                message.append("\n  ").append(leak.describe());
            }
            message.append("\nClose each one (try-with-resources, or in @AfterEach) before the test ends.");
            throw new AssertionFailedError(message.toString());
        }
    }
}
