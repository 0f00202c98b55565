package dev.netfault;

import dev.netfault.internal.agent.AgentInstaller;
import dev.netfault.internal.agent.AgentRules;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * netfault's socket agent: aims faults at the application's own connections, with no change to
 * the application, and injects the errno-level failures no listener can cause. It instruments the
 * JDK's lowest Java-level socket code once per JVM ({@code sun.nio.ch.Net.connect},
 * {@code SocketDispatcher} reads and writes, accepts, {@code InetAddress.getAllByName}), so every
 * client is covered: {@code Socket}, blocking and non-blocking {@code SocketChannel},
 * {@code HttpURLConnection}, {@code java.net.http.HttpClient}, and the libraries built on them.
 *
 * <p>Rules apply JVM-wide to connections matching their {@link Target}, from any thread, until
 * closed; connections to other targets, and netfault's own, pass untouched. With no rule active, a
 * hooked read, write, accept or lookup costs one volatile read; a connect is also remembered (weakly,
 * with its target), so that a rule made later reaches the connections already open to its target.
 *
 * @since 0.1
 */
public final class SocketAgent {

    private SocketAgent() {
    }

    /**
     * Installs the agent, once per JVM: by self-attach, or through {@code -javaagent:netfault-core.jar}
     * when the JVM was started with it. Then checks that the instrumentation works.
     *
     * @throws AgentUnavailableException with what failed and the line to add to the JVM's options
     */
    public static void install() {
        AgentInstaller.install();
    }

    /** {@return whether the agent is installed and checked} */
    public static boolean isInstalled() {
        return AgentInstaller.isInstalled();
    }

    /**
     * Sends the application's connections to {@code target} to {@code destination} instead (a
     * {@link FaultListener}, typically one that relays to the real target). The application's
     * socket still reports the original target ({@code getRemoteSocketAddress()}).
     *
     * <p>A target host name that does not resolve when the rule is made (a production name such as
     * {@code payments.internal} in a test environment) gets a stand-in: while the rule is active,
     * {@code InetAddress.getAllByName} and {@code getByName} answer it with a loopback address
     * ({@code 127.77.x.y}) that carries the name, so the application's lookup succeeds and its
     * connect is redirected, with no hosts file or DNS server. Names that resolve and address
     * literals are never answered for.
     *
     * @param target the connections to send elsewhere
     * @param destination where they go instead, such as a {@link FaultListener}'s {@link FaultListener#address() address}
     * @return the rule, active until closed
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule redirect(Target target, InetSocketAddress destination) {
        install();
        return AgentRules.redirect(Objects.requireNonNull(target, "target"), Objects.requireNonNull(destination, "destination"));
    }

    /**
     * Makes the kernel refuse the application's connections to {@code target}: they go to a loopback
     * port that is bound with nothing listening, so the refusal is a real RST. What the application
     * sees: {@code ConnectException: Connection refused} (a channel is closed afterwards, as is a
     * {@code Socket} from JDK 24 on; on earlier JDKs a refused {@code Socket} reports
     * {@code isClosed()} false and a second connect fails with {@code Socket closed}, as after a real
     * refusal); {@code HttpClient}: {@code ConnectException} with a null message. A target host
     * name that does not resolve gets a stand-in address while the rule is active, as for
     * {@link #redirect}, so the application sees the refusal rather than an {@code UnknownHostException}.
     *
     * @param target the connections to refuse
     * @return the rule, active until closed
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule refuse(Target target) {
        install();
        return AgentRules.refuse(Objects.requireNonNull(target, "target"));
    }

    /**
     * Connections to {@code target} die {@code after} they were opened, as when the kernel gives up
     * retransmitting ({@code ETIMEDOUT}): the first read or write afterwards fails (a read blocked at
     * that moment fails at once), later reads return -1 and writes fail with {@code Broken pipe}.
     * What the application sees: {@code Socket} read and write: {@code SocketException: Connection
     * timed out}; {@code SocketChannel}: {@code IOException: Connection timed out}.
     *
     * @param target the connections to time out
     * @param after how long after its connect each connection dies, not negative
     * @return the rule, active until closed
     * @throws IllegalArgumentException if {@code after} is negative
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule timeOutConnections(Target target, Duration after) {
        Objects.requireNonNull(after, "after");
        if (after.isNegative()) {
            throw new IllegalArgumentException("a time-out delay must not be negative, but was " + after.toMillis() + " ms");
        }
        install();
        return AgentRules.timeOut(Objects.requireNonNull(target, "target"), after);
    }

    /**
     * The next {@code times} accepts on the application's listening {@code port} fail with
     * {@code EMFILE}, at once, as when the process is out of file descriptors; then accepts work
     * again. Pending connections stay queued. What the application sees: {@code ServerSocket.accept()}
     * and {@code ServerSocketChannel.accept()}: {@code IOException: Too many open files}. The same as
     * {@code failAccept(port, times, AcceptError.EMFILE)}.
     *
     * @param port the port the application's server listens on, from 1 to 65535 (its {@code getLocalPort()})
     * @param times how many accepts fail, at least 1
     * @return the rule, active until closed
     * @throws IllegalArgumentException if {@code port} or {@code times} is out of range
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule failAccept(int port, int times) {
        return failAccept(port, times, AcceptError.EMFILE);
    }

    /**
     * The next {@code times} accepts on the application's listening {@code port} fail with
     * {@code error}, at once; then accepts work again. Pending connections stay queued, the listener
     * stays open. What the application sees: {@code ServerSocket.accept()} and
     * {@code ServerSocketChannel.accept()} (blocking, non-blocking, timed) throw
     * {@code java.io.IOException} with {@link AcceptError#message() error.message()}, such as
     * {@code Connection timed out}; see {@link AcceptError}. Accepts of netfault's own listeners
     * never fail.
     *
     * @param port the port the application's server listens on, from 1 to 65535 (its {@code getLocalPort()})
     * @param times how many accepts fail, at least 1
     * @param error what they fail with
     * @return the rule, active until closed
     * @throws IllegalArgumentException if {@code port} or {@code times} is out of range
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule failAccept(int port, int times, AcceptError error) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SocketAgent.failAccept: port must be from 1 to 65535, but was " + port
                    + ". Fix: pass the port the application's server listens on (its getLocalPort()), or use"
                    + " failAcceptOnAnyPort to fail the accepts of every listener");
        }
        checkTimes("SocketAgent.failAccept", times);
        Objects.requireNonNull(error, "error");
        install();
        return AgentRules.failAccept(port, times, error);
    }

    /**
     * The next {@code times} accepts on each of the application's listening sockets, whatever its port,
     * fail with {@code error}, at once; then that listener's accepts work again. For servers whose port
     * is known only once they run. Accepts of netfault's own listeners never fail. As with
     * {@link #failAccept(int, int, AcceptError)}, but JVM-wide: it also fails the accepts of servers of
     * other tests running at the same time, so run such a test alone (the {@code @FailAccept}
     * annotation of netfault's JUnit extension does).
     *
     * @param times how many accepts fail on each listener, at least 1
     * @param error what they fail with
     * @return the rule, active until closed
     * @throws IllegalArgumentException if {@code times} is less than 1
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule failAcceptOnAnyPort(int times, AcceptError error) {
        checkTimes("SocketAgent.failAcceptOnAnyPort", times);
        Objects.requireNonNull(error, "error");
        install();
        return AgentRules.failAccept(0, times, error);
    }

    private static void checkTimes(String method, int times) {
        if (times < 1) {
            throw new IllegalArgumentException(method + ": times, the number of accepts that fail, must be at least 1, but was "
                    + times + ". Fix: pass 1 or more (to stop failing accepts, close the rule)");
        }
    }

    /**
     * Resolving {@code host} fails. What the application sees, as from the JDK's resolver and its
     * negative cache: {@code UnknownHostException: <host>: Name or service not known} on the first
     * lookup, {@code UnknownHostException: <host>} on later ones; {@code HttpClient}:
     * {@code ConnectException} with a null message.
     *
     * @param host the name whose lookups fail, as the application writes it
     * @return the rule, active until closed
     * @throws IllegalArgumentException if {@code host} is blank
     * @throws AgentUnavailableException if the agent cannot be installed
     */
    public static AgentRule failResolution(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("a host name must not be blank");
        }
        install();
        return AgentRules.failResolution(host);
    }
}
