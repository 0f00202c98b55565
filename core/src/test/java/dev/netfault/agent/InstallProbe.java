package dev.netfault.agent;

import dev.netfault.AgentRule;
import dev.netfault.AgentUnavailableException;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.internal.agent.AgentInstaller;
import dev.netfault.internal.agent.AgentRules;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Run in a fresh JVM by {@link InstallTests}: installs the agent, reports how long the first
 * install took, and proves a rule works; or reports why the install failed, twice.
 */
public final class InstallProbe {

    private InstallProbe() {
    }

    public static void main(String[] args) throws IOException {
        long start = System.nanoTime();
        try {
            SocketAgent.install();
        } catch (AgentUnavailableException first) {
            System.out.println("FAILED " + first.getMessage());
            try {
                SocketAgent.install();
            } catch (AgentUnavailableException second) {
                System.out.println("AGAIN " + (second == first ? "same" : "different"));
            }
            System.exit(3);
        }
        long installed = System.nanoTime();
        SocketAgent.install();
        long again = System.nanoTime();
        System.out.printf("first install %d ms, second %d us, javaagent=%s%n", (installed - start) / 1_000_000,
                (again - installed) / 1_000, AgentRules.loadedAsJavaagent());
        System.out.println("via " + AgentInstaller.attachedVia());
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentRule rule = SocketAgent.refuse(Target.port(server.getLocalPort()))) {
            new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()).close();
            System.out.println("NOT REFUSED");
        } catch (ConnectException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
