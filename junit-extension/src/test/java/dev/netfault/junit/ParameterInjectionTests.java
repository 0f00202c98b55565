package dev.netfault.junit;

import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.FaultListener;
import dev.netfault.HeldPort;
import dev.netfault.Journal;
import dev.netfault.junit.LeakedServerSockets.Leak;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

@DisplayName("Parameter injection")
class ParameterInjectionTests {

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    @Nested
    @DisplayName("resolves")
    class Resolves {

        @Test
        void theSameHandlesInBeforeEachTheTestAndAfterEachAndANewListenerForEachTest() throws IOException {
            ListenerHandlesFixture.listeners.clear();
            Kit.assertAllSucceeded(Kit.run(ListenerHandlesFixture.class), 3);

            List<FaultListener> listeners = ListenerHandlesFixture.listeners;
            assertThat(listeners).hasSize(3).doesNotHaveDuplicates();
            for (FaultListener listener : listeners) {
                try (Socket client = new Socket()) {
                    assertThatThrownBy(() -> client.connect(listener.address(), 2_000))
                            .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
                }
            }
        }

        @Test
        void theSameHeldPortInBeforeEachAndTheTest() {
            Kit.assertAllSucceeded(Kit.run(HeldPortFixture.class), 1);
        }
    }

    @Nested
    @DisplayName("reports misuse")
    class ReportsMisuse {

        @Test
        void aHandleInATestWithNoNetfaultAnnotationIsLeftToJUnitWhichHasNoResolverForIt() {
            Throwable failure = Kit.failure(Kit.run(NoAnnotationFixture.class), "takesAListener");
            assertThat(failure).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("No ParameterResolver registered for parameter [dev.netfault.FaultListener arg0] in method [void "
                            + NoAnnotationFixture.class.getName() + ".takesAListener(dev.netfault.FaultListener)].");
        }

        @Test
        void aHandleInBeforeAll() {
            EngineExecutionResults results = Kit.run(BeforeAllFixture.class);
            assertThat(results.testEvents().started().count()).isZero();
            assertThat(Kit.containerFailure(results))
                    .isInstanceOf(ParameterResolutionException.class)
                    .hasMessage(noFaultInstalled("setUpAll()"));
        }

        @Test
        void aHandleInTheTestClassConstructor() {
            Throwable failure = Kit.failure(Kit.run(ConstructorFixture.class), "test");
            assertThat(failure).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage(noFaultInstalled(ConstructorFixture.class.getName() + "()"));
        }

        @Test
        void aHeldPortWithoutLeakPort() {
            EngineExecutionResults results = Kit.run(WrongHandleFixture.class);
            String fix = ": a HeldPort comes from @LeakedServerSockets(Leak.PORT), and the test has none."
                    + " Fix: add Leak.PORT to @LeakedServerSockets.";
            assertThat(Kit.failure(results, "heldPortWithAReset")).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("netfault cannot resolve the parameter HeldPort of heldPortWithAReset()" + fix);
            assertThat(Kit.failure(results, "heldPortWithLeakedConnections")).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("netfault cannot resolve the parameter HeldPort of heldPortWithLeakedConnections()" + fix);
        }

        @Test
        void aListenerJournalOrSocketFactoryWithOnlyAHeldPort() {
            EngineExecutionResults results = Kit.run(WrongHandleFixture.class);
            String fix = ": the test's annotations open no fault listener. Fix: take a HeldPort (with @LeakedServerSockets(Leak.PORT)),"
                    + " or add Leak.CONNECTIONS or one of @Reset, @Close, @Stall, @HalfClose, @Latency, @Bandwidth, @Slice,"
                    + " @SlowClose, @Blackhole, @SlowAccept, @LeakedServerSockets or @ListenerDown.";
            assertThat(Kit.failure(results, "listenerWithAHeldPort")).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("netfault cannot resolve the parameter FaultListener of listenerWithAHeldPort()" + fix);
            assertThat(Kit.failure(results, "journalWithAHeldPort")).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("netfault cannot resolve the parameter Journal of journalWithAHeldPort()" + fix);
            assertThat(Kit.failure(results, "socketFactoryWithAHeldPort")).isInstanceOf(ParameterResolutionException.class)
                    .hasMessage("netfault cannot resolve the parameter SocketFactory of socketFactoryWithAHeldPort()" + fix);
            assertThat(results.testEvents().succeeded().count()).isZero();
        }

        private static String noFaultInstalled(String executable) {
            return "netfault cannot resolve the parameter FaultListener of " + executable + ": no netfault fault is installed for it."
                    + " Fault handles exist for test methods, @BeforeEach and @AfterEach methods of tests annotated"
                    + " (or in a class annotated) with @Reset, @Close, @Stall, @HalfClose, @Latency, @Bandwidth, @Slice,"
                    + " @SlowClose, @Blackhole, @SlowAccept, @LeakedServerSockets, @ListenerDown, @RefuseConnections, @TimeOutConnections, @FailResolution or @FailAccept.";
        }
    }

    @Fixture
    @Reset(afterBytesFromClient = 1_000)
    static class ListenerHandlesFixture {

        static final List<FaultListener> listeners = new CopyOnWriteArrayList<>();

        FaultListener listenerBefore;
        Journal journalBefore;
        SocketFactory factoryBefore;

        @BeforeEach
        void setUp(FaultListener server, Journal journal, SocketFactory factory) {
            listenerBefore = server;
            journalBefore = journal;
            factoryBefore = factory;
            assertThat(journal).isSameAs(server.journal());
        }

        @Test
        void getsTheSameHandles(FaultListener server, Journal journal, SocketFactory factory) throws IOException {
            listeners.add(server);
            assertThat(server).isSameAs(listenerBefore);
            assertThat(journal).isSameAs(journalBefore);
            // the factory's sockets reach this listener, whatever address the application gives them
            for (SocketFactory f : List.of(factoryBefore, factory)) {
                try (Socket socket = f.createSocket("database.example.invalid", 5432)) {
                    assertThat(socket.getRemoteSocketAddress()).isEqualTo(InetSocketAddress.createUnresolved("database.example.invalid", 5432));
                }
            }
            await().until(() -> journal.accepted() == 2);
        }

        @RepeatedTest(2)
        void getsItsOwnListener(FaultListener server) {
            listeners.add(server);
            assertThat(server).isSameAs(listenerBefore);
        }

        @AfterEach
        void tearDown(FaultListener server, Journal journal) {
            assertThat(server).isSameAs(listenerBefore);
            assertThat(journal).isSameAs(journalBefore);
            // still open: the extension closes it after @AfterEach methods
            assertThat(Leftovers.netfaultThreads()).anyMatch(name -> name.endsWith("-" + server.port()));
        }
    }

    @Fixture
    @LeakedServerSockets(Leak.PORT)
    static class HeldPortFixture {

        HeldPort before;

        @BeforeEach
        void setUp(HeldPort port) {
            before = port;
        }

        @Test
        void getsTheSameHeldPort(HeldPort port) {
            assertThat(port).isSameAs(before);
            assertThat(port.isHeld()).isTrue();
        }
    }

    @Fixture
    static class NoAnnotationFixture {
        @Test
        void takesAListener(FaultListener server) {
        }
    }

    @Fixture
    @Reset
    static class BeforeAllFixture {
        @BeforeAll
        static void setUpAll(FaultListener server) {
        }

        @Test
        void test() {
        }
    }

    @Fixture
    @Reset
    static class ConstructorFixture {
        ConstructorFixture(FaultListener server) {
        }

        @Test
        void test() {
        }
    }

    @Fixture
    static class WrongHandleFixture {
        @Test
        @Reset
        void heldPortWithAReset(HeldPort port) {
        }

        @Test
        @LeakedServerSockets
        void heldPortWithLeakedConnections(HeldPort port) {
        }

        @Test
        @LeakedServerSockets(Leak.PORT)
        void listenerWithAHeldPort(FaultListener server) {
        }

        @Test
        @LeakedServerSockets(Leak.PORT)
        void journalWithAHeldPort(Journal journal) {
        }

        @Test
        @LeakedServerSockets(Leak.PORT)
        void socketFactoryWithAHeldPort(SocketFactory factory) {
        }
    }
}
