package dev.netfault.internal.agent;

/** A thread of netfault's own: the socket agent's rules never apply to its connections. */
public final class InternalThread extends Thread {

    public InternalThread(Runnable task, String name) {
        super(task, name);
    }

    /**
     * A thread that may outlive its creator's purpose (a pooled one): it takes none of the
     * creator's inheritable thread-local values, and netfault's class loader as its context
     * loader, so it keeps nothing of the test that happened to start it.
     */
    public static InternalThread detached(Runnable task, String name) {
        InternalThread thread = new InternalThread(task, name, false);
        thread.setContextClassLoader(InternalThread.class.getClassLoader());
        return thread;
    }

    private InternalThread(Runnable task, String name, boolean inheritThreadLocals) {
        super(null, task, name, 0, inheritThreadLocals);
    }
}
