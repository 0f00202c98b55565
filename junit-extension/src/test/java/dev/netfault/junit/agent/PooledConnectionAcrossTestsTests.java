package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.junit.Reset;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.EchoServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A pool shared across tests (HikariCP, a class-wide client) hands a connection opened through one
 * test's fault listener to the next test, which has no fault: it must work there as if netfault had
 * never been there (DESIGN.md, principle 3).
 */
@DisplayName("a connection opened through a test's listener works in the next test, which has no fault")
class PooledConnectionAcrossTestsTests {

    /** The real server, and the application's pool of one connection, shared by the fixtures' tests. */
    static EchoServer real;
    static Socket pooled;
    static Journal firstTestsJournal;

    @BeforeEach
    void startTheRealServer() {
        real = EchoServer.start();
        pooled = null;
        firstTestsJournal = null;
    }

    @AfterEach
    void stopIt() throws IOException {
        if (pooled != null) {
            pooled.close(); // the application closes its pool...
        }
        real.close();
        Leftovers.awaitNoNetfaultThreads(); // ...and the listener's thread ends with the connection
    }

    /** Sends {@code size} random bytes and reads them back, across the byte offset the first test's reset was set at. */
    static void assertEchoes(Socket socket, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(socket.getInputStream().readNBytes(size)).isEqualTo(data);
        writing.get();
    }

    @Test
    void throughATransparentListenerAimedAtTheTarget() throws Exception {
        EngineExecutionResults results = Kit.run(TransparentFixture.class);

        Kit.assertAllSucceeded(results, 2);
        assertThat(firstTestsJournal.events()).extracting(JournalEvent::type)
                .contains(JournalEvent.Type.RELEASED).doesNotContain(JournalEvent.Type.FAULT_FIRED, JournalEvent.Type.SENT_RST);
        assertThat(real.acceptedFrom()).as("one connection to the real server, made through the listener").hasSize(1);
    }

    @Test
    void throughAListenerWithAnUpstream() throws Exception {
        EngineExecutionResults results = Kit.run(UpstreamFixture.class);

        Kit.assertAllSucceeded(results, 2);
        assertThat(firstTestsJournal.events()).extracting(JournalEvent::type).contains(JournalEvent.Type.RELEASED);
    }

    @Fixture
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class TransparentFixture {

        @Test
        @Order(1)
        @Reset(afterBytesToClient = 1_000)
        void opensThePooledConnectionUnderAFault(NetFault netfault, Journal journal) throws Exception {
            netfault.aimAt("localhost:" + real.port());
            firstTestsJournal = journal;
            pooled = new Socket("localhost", real.port()); // the application's own connect, redirected by the agent
            pooled.setSoTimeout((int) Sockets.PATIENCE.toMillis());
            assertEchoes(pooled, 100);
            assertThat(journal.accepted()).as("it went through the listener").isEqualTo(1);
        }

        @Test
        @Order(2)
        void reusesItWithNoFault() throws Exception {
            assertEchoes(pooled, 100_000); // far past the 1,000 bytes at which the first test's reset was set
        }
    }

    @Fixture
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class UpstreamFixture {

        @Test
        @Order(1)
        @Reset(afterBytesToClient = 1_000)
        void opensThePooledConnectionUnderAFault(FaultListener server) throws Exception {
            server.proxyTo(real.address());
            firstTestsJournal = server.journal();
            pooled = Sockets.connect(server.address());
            assertEchoes(pooled, 100);
        }

        @Test
        @Order(2)
        void reusesItWithNoFault() throws Exception {
            assertEchoes(pooled, 100_000);
        }
    }
}
