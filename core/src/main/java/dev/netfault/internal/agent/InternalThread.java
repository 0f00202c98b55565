package dev.netfault.internal.agent;

/** A thread of netfault's own: the socket agent's rules never apply to its connections. */
public final class InternalThread extends Thread {

    public InternalThread(Runnable task, String name) {
        super(task, name);
    }
}
