package dev.netfault.internal.agent;

import dev.netfault.SocketAgent;

/**
 * Run in a fresh JVM by {@link HooksJarTests}: installs the socket agent, says so, and dies without
 * running shutdown hooks or {@code deleteOnExit}, as a JVM killed mid-test does.
 */
public final class HaltAfterInstall {

    private HaltAfterInstall() {
    }

    public static void main(String[] args) {
        SocketAgent.install();
        System.out.println("installed");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
