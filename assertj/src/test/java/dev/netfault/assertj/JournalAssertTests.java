package dev.netfault.assertj;

import static dev.netfault.assertj.NetFaultAssertions.assertThat;
import static dev.netfault.assertj.NetFaultAssertions.then;
import static dev.netfault.testsupport.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Closure;
import dev.netfault.Direction;
import dev.netfault.Effect;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.JournalEvent;
import dev.netfault.testsupport.Bytes;
import dev.netfault.testsupport.RecordingServer;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("JournalAssert and ConnectionAssert")
class JournalAssertTests {

    private FaultListener listener;
    private RecordingServer server;

    @AfterEach
    void close() {
        if (listener != null) {
            listener.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** One connection, reset on accept; returns once netfault recorded its RST. */
    private Journal resetOnce() {
        listener = FaultListener.standalone().fault(Fault.reset()).start();
        assertThat(Sockets.readUntilEnd(connect()).end()).isEqualTo("SocketException: Connection reset");
        await().until(() -> listener.journal().connection(1).map(c -> c.listenerClosure() == Closure.RST).orElse(false));
        return listener.journal();
    }

    /** One connection that received 10 of 100 bytes, then netfault's FIN; returns once the client's FIN is recorded too. */
    private Journal truncatedOnce() throws IOException {
        server = RecordingServer.sending(Bytes.data(100));
        listener = FaultListener.inFrontOf(server.address()).fault(Fault.close().afterBytes(Direction.TO_CLIENT, 10)).start();
        try (Socket socket = connect()) {
            assertThat(Sockets.readUntilEnd(socket).bytes()).hasSize(10);
        }
        await().until(() -> listener.journal().connection(1).map(c -> c.clientClosure() == Closure.FIN).orElse(false));
        return listener.journal();
    }

    private Socket connect() {
        try {
            return Sockets.connect(listener.address());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Nested
    @DisplayName("passes on what happened")
    class Passes {

        @Test
        void aResetOnAccept() {
            assertThat(resetOnce()).hasAccepted(1).hasFaultsFired(1).hasEvent(JournalEvent.Type.SENT_RST)
                    .hasNoEvent(JournalEvent.Type.SENT_FIN)
                    .connection(1).hadFaultFired(Effect.Reset.class).hadFaultFired(Fault.reset())
                    .closedByListenerWith(Closure.RST).sentToClient(0);
        }

        @Test
        void aCloseAfterTenBytes() throws IOException {
            then(truncatedOnce()).hasAccepted(1).hasFaultsFired(1)
                    .connection(1).firedAfterBytes(Direction.TO_CLIENT, 10).sentToClient(10).receivedFromClient(0)
                    .closedByListenerWith(Closure.FIN).closedByClientWith(Closure.FIN);
        }

        @Test
        void anEchoedConnectionWithNoFault() throws IOException {
            listener = FaultListener.standalone().echo().start();
            try (Socket socket = connect()) {
                socket.getOutputStream().write(Bytes.ascii("ping!"));
                assertThat(socket.getInputStream().readNBytes(5)).isEqualTo(Bytes.ascii("ping!"));
            }
            await().untilAsserted(() -> assertThat(listener.journal()).connection(1).closedByClientWith(Closure.FIN));

            assertThat(listener.journal()).hasFaultsFired(0)
                    .connection(1).hadNoFaultFired().receivedFromClient(5).sentToClient(5);
            assertThat(listener.journal().connection(1).orElseThrow()).receivedFromClient(5);
        }
    }

    @Nested
    @DisplayName("fails with the journal in its message")
    class Fails {

        @Test
        void onTheNumberOfConnectionsOrFaults() {
            Journal journal = resetOnce();

            assertThatThrownBy(() -> assertThat(journal).hasAccepted(2))
                    .hasMessageContaining("Expecting the listener to have accepted 2 connection(s), but it accepted 1. The journal:")
                    .hasMessageContaining("journal of netfault listener")
                    .hasMessageContaining("#1 from");
            assertThatThrownBy(() -> assertThat(journal).hasFaultsFired(0))
                    .hasMessageContaining("Expecting 0 fault(s) to have fired, but 1 fired")
                    .hasMessageContaining("fired reset");
        }

        @Test
        void onEvents() {
            Journal journal = resetOnce();

            assertThatThrownBy(() -> assertThat(journal).hasEvent(JournalEvent.Type.ACCEPT_QUEUE_FILLED))
                    .hasMessageContaining("Expecting the journal to have recorded ACCEPT_QUEUE_FILLED, but it did not");
            assertThatThrownBy(() -> assertThat(journal).hasNoEvent(JournalEvent.Type.SENT_RST))
                    .hasMessageContaining("Expecting the journal not to have recorded SENT_RST, but it did:")
                    .hasMessageContaining("#1 SENT_RST");
        }

        @Test
        void onAConnectionItNeverAccepted() {
            Journal journal = resetOnce();

            assertThatThrownBy(() -> assertThat(journal).connection(2))
                    .hasMessageContaining("Expecting connection #2, but the listener accepted 1 connection(s). The journal:")
                    .hasMessageContaining("#1 from");
        }

        @Test
        void onHowTheConnectionClosed() {
            Journal journal = resetOnce();

            assertThatThrownBy(() -> assertThat(journal).connection(1).closedByListenerWith(Closure.FIN))
                    .hasMessageContaining("Expecting the listener to have closed with FIN, but it was RST")
                    .hasMessageContaining("on connection #1 from")
                    .hasMessageContaining("The journal:");
            assertThatThrownBy(() -> assertThat(journal).connection(1).closedByClientWith(Closure.FIN))
                    .hasMessageContaining("Expecting the client to have closed with FIN, but it was");
        }

        @Test
        void onFaultsAndBytes() throws IOException {
            Journal journal = truncatedOnce();

            assertThatThrownBy(() -> assertThat(journal).connection(1).firedAfterBytes(Direction.TO_CLIENT, 20))
                    .hasMessageContaining("Expecting a fault to have fired after 20 bytes to the client, but they fired after [10] bytes");
            assertThatThrownBy(() -> assertThat(journal).connection(1).hadFaultFired(Effect.Reset.class))
                    .hasMessageContaining("Expecting a Reset fault to have fired")
                    .hasMessageContaining("fired close after 10 bytes to the client");
            assertThatThrownBy(() -> assertThat(journal).connection(1).hadNoFaultFired())
                    .hasMessageContaining("Expecting no fault to have fired, but 1 fired");
            assertThatThrownBy(() -> assertThat(journal).connection(1).sentToClient(100))
                    .hasMessageContaining("Expecting 100 bytes sent to the client, but 10 were");
            assertThatThrownBy(() -> assertThat(journal).connection(1).receivedFromClient(1))
                    .hasMessageContaining("Expecting 1 bytes received from the client, but 0 were");
            assertThatThrownBy(() -> assertThat(journal).connection(1).wasLeaked())
                    .hasMessageContaining("Expecting the connection to have been leaked, but it was not");
        }

        @Test
        void withTheDescriptionGivenToTheJournal() {
            Journal journal = resetOnce();

            assertThatThrownBy(() -> assertThat(journal).as("orders backend").connection(1).sentToClient(1))
                    .hasMessageContaining("[orders backend]")
                    .hasMessageContaining("Expecting 1 bytes sent to the client, but 0 were");
        }
    }
}
