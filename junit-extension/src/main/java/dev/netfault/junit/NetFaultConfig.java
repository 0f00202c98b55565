package dev.netfault.junit;

/**
 * netfault's configuration parameters, set like any JUnit configuration parameter (for example in
 * {@code src/test/resources/junit-platform.properties}, or as a Surefire
 * {@code configurationParameters} entry).
 *
 * @since 0.1
 */
public final class NetFaultConfig {

    /**
     * How long a test with netfault faults may run before netfault's hang guard fires, such as
     * {@code 10s}, {@code 500ms} or {@code 2m}; {@code 0} turns the guard off. Default
     * {@value #DEFAULT_HANG_TIMEOUT}.
     *
     * <p>When it fires, netfault records where the test is blocked, then releases the test's faults:
     * its listeners close and reset their connections, so a client blocked in a connect without a
     * timeout gets {@code ConnectException: Connection refused} at its next SYN retry (instead of
     * waiting about 130 s), and a client blocked in a read without a timeout gets
     * {@code SocketException: Connection reset}. The test then fails with a message that says where
     * it was blocked and which timeout the client is missing. The guard watches the test method and
     * each {@code @BeforeEach} and {@code @AfterEach} method, each on its own clock;
     * {@link HangTimeout} on a test or class takes precedence over this parameter.
     */
    public static final String HANG_TIMEOUT_PROPERTY_NAME = "netfault.hang.timeout";

    /**
     * The seed of the test's fault listener (a whole number), for faults that draw random numbers
     * ({@code probability}, latency jitter). A failed test that used one reports its seed; set this
     * parameter to it (for example {@code -Dnetfault.seed=42}) to replay the run exactly. By default
     * each listener draws a new seed.
     */
    public static final String SEED_PROPERTY_NAME = "netfault.seed";

    /**
     * What happens when a fault of the test that is aimed at a target (a {@code target} attribute,
     * {@link RefuseConnections}, {@link TimeOutConnections}, {@link FailResolution}, or a rule made
     * through {@link NetFault}) reached no connection, lookup or accept by the end of the test:
     * {@code fail} (the default) fails the test with the likely causes and their fixes; {@code warn}
     * publishes the same text as a report entry ({@code netfault.unmatched}) and lets the test pass.
     */
    public static final String UNMATCHED_PROPERTY_NAME = "netfault.unmatched";

    /**
     * {@code true} lets a fault listener relay to a target or upstream that is not a loopback
     * address ({@code @Reset(target = "10.1.2.3:80")}). By default such an annotation fails
     * the test before anything is opened: netfault keeps test traffic on the machine.
     */
    public static final String ALLOW_NON_LOOPBACK_PROPERTY_NAME = "netfault.allowNonLoopback";

    /**
     * When netfault attaches a test's fault timeline files ({@code timeline.html}, an SVG of its
     * connections, faults and closes over the test's time, and {@code journal.json}) to the test
     * report: {@code on-failure} (the default) for failed tests, {@code always} for every test with
     * faults, {@code never}. With {@code always} and {@code on-failure} every test with faults also
     * gets a one-line report entry ({@code netfault}); {@code never} publishes neither. A failed test
     * carries the text timeline in its failure (as a suppressed exception) whatever this parameter says.
     */
    public static final String REPORT_PROPERTY_NAME = "netfault.report";

    /** The default of {@link #HANG_TIMEOUT_PROPERTY_NAME}. */
    public static final String DEFAULT_HANG_TIMEOUT = "10s";

    private NetFaultConfig() {
    }
}
