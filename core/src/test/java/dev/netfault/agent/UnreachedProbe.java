package dev.netfault.agent;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Run in a fresh JVM by {@link UnreachedConnectionsTests}: opens a connection before the agent is
 * installed (as a pool warmed before netfault loads), then one after, and reports what rules aimed at
 * their target count: the first is out of the agent's reach and must be counted as such.
 */
public final class UnreachedProbe {

    private UnreachedProbe() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, loopback);
             Socket before = new Socket(loopback, server.getLocalPort());
             Socket acceptedBefore = server.accept()) {
            SocketAgent.install();
            try (Socket after = new Socket(loopback, server.getLocalPort());
                 Socket acceptedAfter = server.accept();
                 FaultListener listener = FaultListener.inFrontOf((java.net.InetSocketAddress) server.getLocalSocketAddress())
                         .start()) {
                Target target = Target.parse("127.0.0.1:" + server.getLocalPort());
                try (AgentRule timeOut = SocketAgent.timeOutConnections(target, Duration.ofSeconds(60))) {
                    System.out.println("time-out matches=" + timeOut.matches() + " unreached=" + timeOut.unreached());
                    System.out.println("time-out says: " + timeOut.describeMatches());
                }
                try (AgentRule other = SocketAgent.refuse(Target.parse("127.0.0.1:" + listener.port()))) {
                    System.out.println("other target unreached=" + other.unreached());
                }
            }
        }
    }
}
