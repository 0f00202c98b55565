package dev.netfault.junit;

import dev.netfault.AcceptError;
import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.junit.internal.AnnotationKinds;
import dev.netfault.junit.internal.InstalledFaults;
import java.time.Duration;
import java.util.Objects;

/**
 * The test's handle on netfault, injected as a parameter: faults made in code, removed after the
 * test like those of annotations (in reverse order, whatever the test's outcome). Use it for what
 * is known only at run time, such as the port of the application's own server.
 *
 * <pre>{@code
 * @Test
 * @EnableNetFault
 * void acceptLoopSurvivesRunningOutOfFiles(NetFault netfault) {
 *     netfault.failAccept(server.port(), 3);   // the next 3 accepts: IOException: Too many open files
 *     ...
 * }
 * }</pre>
 *
 * <p>Rules made here take no JUnit resource lock: if tests that aim at the same target run in
 * parallel, give them {@code @ResourceLock("netfault.target:<host address>")}.
 *
 * @since 0.1
 */
public final class NetFault {

    private final InstalledFaults faults;

    NetFault(InstalledFaults faults) {
        this.faults = faults;
    }

    /**
     * {@return the listener of the test's fault annotations}
     *
     * @throws IllegalStateException if the test has none
     */
    public FaultListener listener() {
        return faults.listener().orElseThrow(() -> new IllegalStateException(
                "the test has no fault listener: annotate it with one of "
                        + AnnotationKinds.names(AnnotationKinds.Role.LISTENER_FAULT, AnnotationKinds.Role.LISTENER) + ", or start one with start(...)"));
    }

    /**
     * Aims the test's fault listener at {@code target}, known only at run time: the listener relays
     * to the target (when the target names a host and a port; otherwise it stands alone), and netfault's socket agent routes the application's own connections to the
     * target into the listener. The application's sockets still report the target as their remote
     * address.
     *
     * <pre>{@code
     * @Test
     * @Reset(afterBytesToClient = 100)
     * void survivesATruncatedResult(NetFault netfault) {
     *     netfault.aimAt("localhost:" + database.port());
     *     ...
     * }
     * }</pre>
     *
     * @param target {@code "host:port"}, {@code "host"} or {@code ":port"}, as {@link Target#parse} reads it
     * @return the rule, closed after the test; the test fails if it reached nothing
     * @throws IllegalStateException if the test has no fault listener
     */
    public AgentRule aimAt(String target) {
        Target parsed = Target.parse(target);
        FaultListener listener = listener();
        if (parsed.host() != null && parsed.port() != 0) {
            listener.proxyTo(new java.net.InetSocketAddress(parsed.host(), parsed.port()));
        }
        return redirect(target, listener);
    }

    /**
     * Starts a listener that is closed after the test.
     *
     * @param builder the listener's configuration, such as {@code FaultListener.standalone().neverAccept()}
     * @return the started listener
     */
    public FaultListener start(FaultListener.Builder builder) {
        return faults.own(builder.start());
    }

    /**
     * Holds a loopback port until the test ends; see {@link HeldPort}.
     *
     * @return the held port, released after the test
     */
    public HeldPort holdPort() {
        return faults.own(HeldPort.hold());
    }

    /**
     * Routes the application's connections to {@code target} into {@code listener}; see
     * {@link SocketAgent#redirect}. A target name that does not resolve (a production host name)
     * resolves to a loopback stand-in until the test ends, so a listener in front of a fake service
     * can stand in for it.
     *
     * @param target {@code "host:port"}, {@code "host"} or {@code ":port"}, as {@link Target#parse} reads it
     * @param listener where the connections go instead
     * @return the rule, closed after the test; the test fails if it reached nothing
     */
    public AgentRule redirect(String target, FaultListener listener) {
        return faults.aim(SocketAgent.redirect(Target.parse(target), Objects.requireNonNull(listener, "listener").address()),
                "NetFault.redirect(\"" + target + "\", ...)");
    }

    /**
     * The kernel refuses the application's connections to {@code target}; see {@link RefuseConnections}.
     *
     * @param target {@code "host:port"}, {@code "host"} or {@code ":port"}, as {@link Target#parse} reads it
     * @return the rule, closed after the test; the test fails if it reached nothing
     */
    public AgentRule refuse(String target) {
        return faults.aim(SocketAgent.refuse(Target.parse(target)), "NetFault.refuse(\"" + target + "\")");
    }

    /**
     * Connections to {@code target} die with ETIMEDOUT {@code after} they opened; see {@link TimeOutConnections}.
     *
     * @param target {@code "host:port"}, {@code "host"} or {@code ":port"}, as {@link Target#parse} reads it
     * @param after how long after its connect each connection dies, not negative
     * @return the rule, closed after the test; the test fails if it reached nothing
     */
    public AgentRule timeOutConnections(String target, Duration after) {
        return faults.aim(SocketAgent.timeOutConnections(Target.parse(target), after), "NetFault.timeOutConnections(\"" + target + "\", ...)");
    }

    /**
     * Resolving {@code host} fails; see {@link FailResolution}.
     *
     * @param host the name whose lookups fail, as the application writes it
     * @return the rule, closed after the test; the test fails if it reached nothing
     */
    public AgentRule failResolution(String host) {
        return faults.aim(SocketAgent.failResolution(host), "NetFault.failResolution(\"" + host + "\")");
    }

    /**
     * The next {@code times} accepts on the application's listening {@code port} fail with
     * {@code IOException: Too many open files}; see {@link SocketAgent#failAccept(int, int)}.
     *
     * @param port the port the application's server listens on, from 1 to 65535
     * @param times how many accepts fail, at least 1
     * @return the rule, closed after the test; the test fails if it reached nothing
     */
    public AgentRule failAccept(int port, int times) {
        return faults.aim(SocketAgent.failAccept(port, times), "NetFault.failAccept(" + port + ", " + times + ")");
    }

    /**
     * The next {@code times} accepts on the application's listening {@code port} fail with
     * {@code error}, such as {@code AcceptError.ETIMEDOUT}: {@code IOException: Connection timed out};
     * see {@link SocketAgent#failAccept(int, int, AcceptError)}.
     *
     * @param port the port the application's server listens on, from 1 to 65535
     * @param times how many accepts fail, at least 1
     * @param error what they fail with
     * @return the rule, closed after the test
     */
    public AgentRule failAccept(int port, int times, AcceptError error) {
        return faults.own(SocketAgent.failAccept(port, times, error));
    }
}
