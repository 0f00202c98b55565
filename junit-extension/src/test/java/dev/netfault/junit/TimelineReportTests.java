package dev.netfault.junit;

import static dev.netfault.testsupport.Bytes.ascii;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.netfault.FaultListener;
import dev.netfault.junit.internal.report.NetFaultTimeline;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.FixtureCondition;
import dev.netfault.junit.support.Json;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.reporting.OutputDirectoryProvider;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The fault timeline in the report: the text on a failure, the report entry, timeline.html and journal.json. */
@DisplayName("the fault timeline in the report")
class TimelineReportTests {

    @TempDir
    Path output;

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    @Nested
    @DisplayName("on a failed test")
    class OnFailure {

        @Test
        void theFailureKeepsItsOwnMessageFirstAndCarriesTheTimelineAsASuppressedException() {
            Throwable failure = Kit.failure(run("failsOnItsOwn"), "failsOnItsOwn");

            assertThat(failure).isExactlyInstanceOf(AssertionError.class).hasMessage("the test's own failure");
            assertThat(timeline(failure))
                    .startsWith("netfault timeline (ms since the test started): 1 listener, 2 connections, 1 fault fired (reset), 1 RST and 1 FIN sent,"
                            + " hang guard idle\n  listener 'failsOnItsOwn' at 127.0.0.1:")
                    .contains(" (stand-alone), faults: reset after 4 bytes from the client on the first connection\n")
                    .containsPattern("\\+ +\\d+\\.\\d ms  #1  accepted from /127\\.0\\.0\\.1:\\d+\n")
                    .containsPattern("\\+ +\\d+\\.\\d ms  #1  FAULT reset after 4 bytes from the client \\(4 bytes from, 0 bytes to the client; request 1, #1 on its connection\\)\n")
                    .containsPattern("#1  netfault sent RST")
                    .containsPattern("#2  client sent FIN")
                    .contains("\n  connections at the end of the test:\n    #1 from ")
                    .endsWith("\n  hang guard: idle (timeout 10 s)");
        }

        @Test
        void theFilesAreAttachedAndTheAttachmentLinesPrinted() throws IOException {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            EngineExecutionResults results;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                results = run("failsOnItsOwn");
            } finally {
                System.setOut(stdout);
            }

            Path dir = publishedDirectory(results);
            assertThat(dir.getFileName()).hasToString("netfault");
            assertThat(dir.resolve("timeline.html")).isRegularFile();
            assertThat(dir.resolve("journal.json")).isRegularFile();
            assertThat(printed.toString(StandardCharsets.UTF_8).lines())
                    .contains("[[ATTACHMENT|" + dir.toAbsolutePath().resolve("timeline.html") + "]]",
                            "[[ATTACHMENT|" + dir.toAbsolutePath().resolve("journal.json") + "]]");
            assertThat(entries(results)).containsExactly(
                    "1 listener, 2 connections, 1 fault fired (reset), 1 RST and 1 FIN sent, hang guard idle");
        }

        @Test
        void aFailureOfTheFaultsThatReachedNothingGetsTheTimelineToo() {
            Throwable failure = Kit.failure(run("refusesButNeverConnects"), "refusesButNeverConnects");

            assertThat(failure).hasMessageStartingWith("netfault: a fault of this test reached nothing it was aimed at");
            assertThat(timeline(failure)).startsWith("netfault timeline (ms since the test started): 1 agent rule (0 matches), hang guard idle")
                    .contains("\n  agent rule of @RefuseConnections on method 'refusesButNeverConnects()': refuse db.netfault.invalid:5432 (")
                    .contains(") -> reached 0 connect(s)\n");
        }

        @Test
        void theHangGuardsFiringIsOnTheTimeline() {
            Throwable failure = Kit.failure(run("readsWithoutATimeout", NetFaultConfig.HANG_TIMEOUT_PROPERTY_NAME + "=1s"), "readsWithoutATimeout");

            assertThat(failure).hasMessageStartingWith("netfault: readsWithoutATimeout() was still running 1 s after it started");
            assertThat(timeline(failure)).contains("hang guard fired at +")
                    .containsPattern("ms  HANG GUARD fired: It was blocked in read\\(\\)")
                    .contains("\n  hang guard: fired at +");
        }

        @Test
        void severalListenersAreToldApart() throws Exception {
            EngineExecutionResults results = run("twoListeners");
            Throwable failure = Kit.failure(results, "twoListeners");

            assertThat(timeline(failure)).startsWith("netfault timeline (ms since the test started): 2 listeners, 3 connections,")
                    .contains("\n  L1 = listener 'twoListeners' at ").contains("\n  L2 = listener 'second' at ")
                    .containsPattern("L2 #1  accepted from");
            Document svg = svg(Files.readString(publishedDirectory(results).resolve("timeline.html")));
            assertThat(count(svg, "//*[local-name()='g'][@class='lane']")).isEqualTo(3);
            assertThat(texts(svg, "//*[local-name()='g'][@class='lane']/@data-connection")).containsExactly("L1 #1", "L1 #2", "L2 #1");
        }
    }

    @Nested
    @DisplayName("netfault.report")
    class Modes {

        @Test
        void byDefaultAPassingTestGetsTheReportEntryButNoFiles() {
            EngineExecutionResults results = run("passes");

            Kit.assertAllSucceeded(results, 1);
            assertThat(entries(results)).containsExactly("1 listener, 2 connections, 1 fault fired (reset), 1 RST and 1 FIN sent, hang guard idle");
            assertThat(results.allEvents().fileEntryPublished().count()).isZero();
        }

        @Test
        void alwaysAttachesTheFilesToPassingTestsToo() throws IOException {
            EngineExecutionResults results = run("passes", "netfault.report=always");

            Kit.assertAllSucceeded(results, 1);
            assertThat(entries(results)).hasSize(1);
            Path dir = publishedDirectory(results);
            assertThat(Files.readString(dir.resolve("timeline.html"))).contains("<span class=\"badge passed\">passed</span>");
            assertThat(json(dir)).containsEntry("outcome", "passed");
        }

        @Test
        void neverPublishesNothingButAFailureStillCarriesItsTimeline() {
            EngineExecutionResults results = run("failsOnItsOwn", "netfault.report=never");

            assertThat(results.allEvents().reportingEntryPublished().count()).isZero();
            assertThat(results.allEvents().fileEntryPublished().count()).isZero();
            assertThat(timeline(Kit.failure(results, "failsOnItsOwn"))).startsWith("netfault timeline");
        }

        @Test
        void aTestWithoutFaultsGetsNothing() {
            for (String method : List.of("noFaults", "noFaultsMade")) {
                EngineExecutionResults results = run(method, "netfault.report=always");
                Throwable failure = Kit.failure(results, method);

                assertThat(failure).hasMessage("no faults here");
                assertThat(failure.getSuppressed()).isEmpty();
                assertThat(results.allEvents().reportingEntryPublished().count()).isZero();
                assertThat(results.allEvents().fileEntryPublished().count()).isZero();
            }
        }

        @Test
        void anyOtherValueIsAConfigurationErrorThatNamesTheParameterAndTheValues() {
            Throwable failure = Kit.failure(run("passes", "netfault.report=sometimes"), "passes");

            assertThat(failure).isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
                    .hasMessage("Configuration parameter netfault.report must be always, on-failure or never, but was \"sometimes\". Fix: set it"
                            + " to always to attach timeline.html and journal.json to every test with faults, on-failure (the default) for"
                            + " failed tests only, or never for neither.");
        }
    }

    @Nested
    @DisplayName("the files")
    class Files_ {

        @Test
        void timelineHtmlIsSelfContainedWithOneLanePerConnectionAndAMarkerPerFaultFiredAndPerClose() throws Exception {
            String html = Files.readString(publishedDirectory(run("failsOnItsOwn")).resolve("timeline.html"));

            assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta charset=\"utf-8\">").doesNotContain("<script", "http:", "https:",
                    "src=", "href=", "url(", "@import", "//");
            Document svg = svg(html);
            assertThat(count(svg, "//*[local-name()='g'][@class='lane']")).isEqualTo(2);
            assertThat(count(svg, "//*[@class='fault']")).isEqualTo(1);
            assertThat(count(svg, "//*[@class='close rst']")).isEqualTo(1); // netfault's reset of #1
            assertThat(count(svg, "//*[@class='close fin']")).isGreaterThanOrEqualTo(1); // #2's client FIN (and netfault's answer)
            assertThat(count(svg, "//*[local-name()='g'][@class='lane']/*[local-name()='title']")).isEqualTo(2);
            assertThat(count(svg, "//*[@class='fault']/*[local-name()='title']")).isEqualTo(1);
            assertThat(count(svg, "//*[local-name()='g'][@class='legend']")).isEqualTo(1);
        }

        @Test
        @SuppressWarnings("unchecked")
        void journalJsonParsesAndHasTheDocumentedFields() throws IOException {
            Map<String, Object> journal = json(publishedDirectory(run("failsOnItsOwn")));

            assertThat(journal).containsKeys("format", "test", "outcome", "start", "spanMs", "summary", "listeners", "agentRules", "heldPorts",
                    "hangGuard");
            assertThat(journal).containsEntry("format", "netfault-journal/1").containsEntry("outcome", "failed")
                    .containsEntry("test", "TimelineReportTests.Timelines > failsOnItsOwn(FaultListener)");
            List<Map<String, Object>> listeners = (List<Map<String, Object>>) journal.get("listeners");
            assertThat(listeners).singleElement().satisfies(l -> assertThat(l).containsKeys("label", "name", "address", "upstream", "faults",
                    "connections", "events").containsEntry("upstream", null));
            List<Map<String, Object>> connections = (List<Map<String, Object>>) listeners.get(0).get("connections");
            assertThat(connections).hasSize(2);
            assertThat(connections.get(0)).containsKeys("id", "client", "acceptedMs", "upstreamConnectedMs", "closedMs", "bytesFromClient",
                    "bytesToClient", "clientClosure", "listenerClosure", "leaked", "faultsFired")
                    .containsEntry("listenerClosure", "RST").containsEntry("bytesFromClient", 4.0);
            assertThat((List<Map<String, Object>>) connections.get(0).get("faultsFired")).singleElement()
                    .satisfies(f -> assertThat(f).containsEntry("effect", "reset").containsEntry("bytesFromClient", 4.0).containsKey("atMs"));
            assertThat(connections.get(1)).containsEntry("clientClosure", "FIN");
            assertThat((List<Map<String, Object>>) listeners.get(0).get("events")).extracting(e -> e.get("type"))
                    .contains("ACCEPTED", "FAULT_FIRED", "SENT_RST", "CLIENT_FIN");
            assertThat((Map<String, Object>) journal.get("hangGuard")).containsEntry("state", "idle").containsEntry("timeoutMs", 10000.0)
                    .containsEntry("firedAtMs", null);
        }

        @Test
        @SuppressWarnings("unchecked")
        void requestsAreInTheTextTheJsonAndOnTheLanes() throws Exception {
            EngineExecutionResults results = run("failsOnRequestTwo");
            assertThat(timeline(Kit.failure(results, "failsOnRequestTwo")))
                    .containsPattern("#1  FAULT reset on request #2 \\(4 bytes from, 4 bytes to the client; request 2,"
                            + " #2 on its connection\\)\n");
            Path dir = publishedDirectory(results);
            Map<String, Object> connection = ((List<Map<String, Object>>) ((List<Map<String, Object>>) json(dir).get("listeners")).get(0)
                    .get("connections")).get(0);
            List<Map<String, Object>> exchanges = (List<Map<String, Object>>) connection.get("exchanges");
            assertThat(exchanges).hasSize(2);
            assertThat(exchanges.get(0)).containsOnlyKeys("index", "request", "startedMs", "requestBytes", "responseBytes",
                    "responseStartedMs", "faults").containsEntry("index", 1.0).containsEntry("request", 1.0)
                    .containsEntry("requestBytes", 4.0).containsEntry("responseBytes", 4.0).containsEntry("faults", List.of());
            assertThat(exchanges.get(1)).containsEntry("index", 2.0).containsEntry("responseBytes", 0.0).containsEntry("responseStartedMs", null)
                    .containsEntry("faults", List.of("reset on request #2 on every connection"));
            Document svg = svg(Files.readString(dir.resolve("timeline.html")));
            assertThat(count(svg, "//*[local-name()='g'][@class='lane']/*[@class='request']")).isEqualTo(2);
            assertThat(count(svg, "//*[@class='request']/*[local-name()='title']")).isEqualTo(2);
        }

        @Test
        void theJsonParserOfTheseTestsRejectsWhatIsNotJson() {
            assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Json.parse("{\"a\": 01}")).isInstanceOf(IllegalArgumentException.class);
            assertThat(Json.parse("{\"a\": [1.5, \"x\\u003cy\", null, true]}")).isEqualTo(Map.of("a", Arrays.asList(1.5, "x<y", null, true)));
        }
    }

    @Fixture
    @EnableNetFault
    static class Timelines {

        /** Connection #1 is reset after 4 bytes from the client; the client closes #2 with a FIN. */
        static void traffic(FaultListener listener) throws IOException {
            try (Socket first = Clients.connect(listener.address())) {
                first.getOutputStream().write(ascii("hello"));
                assertThatThrownBy(() -> first.getInputStream().read()).isInstanceOf(SocketException.class);
            }
            try (Socket second = Clients.connect(listener.address())) {
                second.getOutputStream().write(ascii("hi"));
            }
            await().until(() -> listener.journal().connections().size() == 2
                    && listener.journal().connections().stream().allMatch(c -> c.closed().isPresent()));
        }

        @Test
        @Reset(afterBytesFromClient = 4, firstConnections = 1)
        void failsOnItsOwn(FaultListener listener) throws IOException {
            traffic(listener);
            throw new AssertionError("the test's own failure");
        }

        @Test
        @Reset(afterBytesFromClient = 4, firstConnections = 1)
        void passes(FaultListener listener) throws IOException {
            traffic(listener);
        }

        @Test
        @Reset(afterBytesFromClient = 4, firstConnections = 1)
        void twoListeners(FaultListener listener, NetFault netfault) throws IOException {
            FaultListener second = netfault.start(FaultListener.standalone().name("second"));
            traffic(listener);
            try (Socket client = Clients.connect(second.address())) {
                client.getOutputStream().write(1);
            }
            await().until(() -> second.journal().connections().stream().allMatch(c -> c.closed().isPresent())
                    && second.journal().accepted() == 1);
            throw new AssertionError("the test's own failure");
        }

        @Test
        @Reset(nthRequest = 2)
        void failsOnRequestTwo(FaultListener listener) throws IOException {
            try (dev.netfault.testsupport.RecordingServer peer = dev.netfault.testsupport.RecordingServer.echo()) {
                listener.proxyTo(peer.address());
                try (Socket client = Clients.connect(listener.address())) {
                    client.getOutputStream().write(ascii("ping"));
                    assertThat(client.getInputStream().readNBytes(4)).hasSize(4);
                    client.getOutputStream().write(ascii("pong"));
                    assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class);
                }
                await().until(() -> listener.journal().connections().stream().allMatch(c -> c.closed().isPresent()));
            }
            throw new AssertionError("the test's own failure");
        }

        @Test
        @RefuseConnections("db.netfault.invalid:5432")
        void refusesButNeverConnects() {
            assertThat(1).isEqualTo(1); // the application never connected
        }

        @Test
        @LeakedServerSockets
        void readsWithoutATimeout(FaultListener server) throws IOException {
            try (Socket client = new Socket()) {
                client.connect(server.address());
                client.getInputStream().read();
            }
        }

        @Test
        void noFaults() {
            throw new AssertionError("no faults here");
        }

        @Test
        void noFaultsMade(NetFault netfault) {
            assertThat(netfault).isNotNull();
            throw new AssertionError("no faults here");
        }
    }

    // --- running the fixture with an output directory, and reading what it published

    private EngineExecutionResults run(String method, String... configuration) {
        List<Method> named = Arrays.stream(Timelines.class.getDeclaredMethods()).filter(m -> m.getName().equals(method)).toList();
        assertThat(named).hasSize(1);
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(Timelines.class, named.get(0)))
                .configurationParameter(FixtureCondition.ENABLED, "true").outputDirectoryProvider(under(output));
        for (String entry : configuration) {
            int eq = entry.indexOf('=');
            kit.configurationParameter(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return kit.execute();
    }

    /** A provider of one directory per test under {@code root}; the same interface from JUnit 5.12 to 6.x (deprecated in 6). */
    @SuppressWarnings({"deprecation", "removal"})
    private static OutputDirectoryProvider under(Path root) {
        return new OutputDirectoryProvider() {
            @Override
            public Path getRootDirectory() {
                return root;
            }

            @Override
            public Path createOutputDirectory(TestDescriptor descriptor) throws IOException {
                return Files.createDirectories(root.resolve(descriptor.getUniqueId().toString().replaceAll("[^A-Za-z0-9._-]+", "_")));
            }
        };
    }

    private static List<String> entries(EngineExecutionResults results) {
        return results.allEvents().reportingEntryPublished().stream().map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .map(m -> m.get("netfault")).toList();
    }

    private static Path publishedDirectory(EngineExecutionResults results) {
        List<Path> files = results.allEvents().fileEntryPublished().stream().map(e -> e.getRequiredPayload(FileEntry.class).getPath()).toList();
        assertThat(files).as("published files%n%s", Kit.describe(results)).hasSize(1);
        assertThat(files.get(0)).isDirectory();
        return files.get(0);
    }

    private static String timeline(Throwable failure) {
        List<Throwable> timelines = Stream.of(failure.getSuppressed()).filter(NetFaultTimeline.class::isInstance).toList();
        assertThat(timelines).as("timelines of %s", failure).hasSize(1);
        assertThat(timelines.get(0).getStackTrace()).isEmpty();
        return timelines.get(0).getMessage();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path dir) throws IOException {
        return (Map<String, Object>) Json.parse(Files.readString(dir.resolve("journal.json")));
    }

    /** {@return the page's SVG, parsed as XML: it must be well-formed} */
    private static Document svg(String html) throws Exception {
        int start = html.indexOf("<svg");
        int end = html.indexOf("</svg>");
        assertThat(start).isNotNegative();
        assertThat(html.indexOf("<svg", start + 1)).isNegative();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.substring(start, end + 6).getBytes(StandardCharsets.UTF_8)));
    }

    private static int count(Document document, String xpath) throws Exception {
        return ((NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, document, XPathConstants.NODESET)).getLength();
    }

    private static List<String> texts(Document document, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, document, XPathConstants.NODESET);
        return java.util.stream.IntStream.range(0, nodes.getLength()).mapToObj(i -> nodes.item(i).getTextContent()).toList();
    }
}
