package dev.netfault.junit;

import static dev.netfault.testsupport.Bytes.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.Connections;
import dev.netfault.Direction;
import dev.netfault.Fault;
import dev.netfault.FaultListener;
import dev.netfault.Journal;
import dev.netfault.junit.support.Clients;
import dev.netfault.junit.support.Fixture;
import dev.netfault.junit.support.Kit;
import dev.netfault.junit.support.Leftovers;
import dev.netfault.testsupport.Sockets;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Where netfault annotations are found")
class AnnotationLookupTests {

    @AfterEach
    void leavesNoListenerBehind() {
        Leftovers.assertNoListenerThreads();
    }

    @Test
    void aClassLevelAnnotationAppliesToEveryTestAndTheMethodsOwnReplacesIt() {
        // 3 tests in the class, 1 in @Nested Inner, 2 in @Nested InnerWithItsOwn
        Kit.assertAllSucceeded(Kit.run(ClassLevelFixture.class), 6);
    }

    @Test
    void aComposedAnnotationWorksOnAMethodAndOnAClass() {
        Kit.assertAllSucceeded(Kit.run(ComposedFixture.class), 1);
        Kit.assertAllSucceeded(Kit.run(ComposedOnClassFixture.class), 1);
    }

    @Test
    void repeatedResetsFireIndependentlyAndTheFirstToFireWins() {
        Kit.assertAllSucceeded(Kit.run(RepeatedFixture.class), 2);
    }

    @Test
    void annotationsOnASuperclassAreInherited() {
        Kit.assertAllSucceeded(Kit.run(InheritingFixture.class), 1);
        Kit.assertAllSucceeded(Kit.run(InheritingRepeatedFixture.class), 1);
    }

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.METHOD, ElementType.TYPE})
    @Reset(firstConnections = 1)
    @interface ResetTheFirstConnection {
    }

    @Fixture
    @Reset(nthConnection = 2)
    static class ClassLevelFixture {

        @Test
        void usesTheClassFault(FaultListener server) throws IOException {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.nth(2)));
            try (Socket first = Sockets.connect(server.address()); Socket second = Sockets.connect(server.address())) {
                assertReadTimesOut(first);
                assertReset(second);
            }
        }

        @Test
        @Reset(firstConnections = 1)
        void methodWins(FaultListener server) {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.first(1)));
            // the extension is registered by both annotations but runs once: one listener
            assertThat(Leftovers.netfaultThreads()).filteredOn(name -> name.startsWith("netfault-methodWins-")).hasSize(1);
        }

        @Test
        @SlowAccept(neverAccept = true)
        void annotationsOfAnotherTypeAddToTheClassFault(FaultListener server, Journal journal) throws IOException {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.nth(2)));
            try (Socket client = Sockets.connect(server.address())) {
                assertReadTimesOut(client);
            }
            assertThat(journal.accepted()).isZero();
        }

        @Nested
        class Inner {
            @Test
            void seesTheEnclosingClassFault(FaultListener server) {
                assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.nth(2)));
            }
        }

        @Nested
        @Reset(after = 100)
        class InnerWithItsOwn {
            @Test
            void usesTheNestedClassFault(FaultListener server) {
                assertThat(server.faults()).containsExactly(Fault.reset().after(Duration.ofMillis(100)));
            }

            @Test
            @Reset(afterBytesFromClient = 1)
            void methodWins(FaultListener server) {
                assertThat(server.faults()).containsExactly(Fault.reset().afterBytes(Direction.FROM_CLIENT, 1));
            }
        }
    }

    @Fixture
    static class ComposedFixture {
        @Test
        @ResetTheFirstConnection
        void resetsTheFirstConnectionOnly(FaultListener server) throws IOException {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.first(1)));
            try (Socket first = Sockets.connect(server.address()); Socket second = Sockets.connect(server.address())) {
                assertReset(first);
                assertReadTimesOut(second);
            }
        }
    }

    @Fixture
    @ResetTheFirstConnection
    static class ComposedOnClassFixture {
        @Test
        void resetsTheFirstConnectionOnly(FaultListener server) {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.first(1)));
        }
    }

    @Fixture
    static class RepeatedFixture {

        @Test
        @Reset(afterBytesFromClient = 10)
        @Reset(after = 500)
        void theByteTriggerFiresFirst(FaultListener server, Journal journal) throws IOException {
            assertThat(server.faults()).containsExactly(
                    Fault.reset().afterBytes(Direction.FROM_CLIENT, 10), Fault.reset().after(Duration.ofMillis(500)));
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("0123456789"));
                assertReset(client);
            }
            assertThat(journal.connection(1).orElseThrow().faults()).singleElement()
                    .satisfies(f -> assertThat(f.fault()).isEqualTo(Fault.reset().afterBytes(Direction.FROM_CLIENT, 10)));
        }

        @Test
        @Reset(afterBytesFromClient = 10)
        @Reset(after = 500)
        void theTimeTriggerFiresFirst(FaultListener server, Journal journal) throws IOException {
            long start = System.nanoTime();
            try (Socket client = Sockets.connect(server.address())) {
                client.getOutputStream().write(ascii("01234"));
                assertReset(client);
                assertThat(Clients.since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
            }
            assertThat(journal.connection(1).orElseThrow().faults()).singleElement()
                    .satisfies(f -> assertThat(f.fault()).isEqualTo(Fault.reset().after(Duration.ofMillis(500))));
            assertThat(journal.connection(1).orElseThrow().bytesFromClient()).isEqualTo(5);
        }
    }

    @Reset(nthConnection = 3)
    abstract static class BaseWithAReset {
    }

    @Fixture
    static class InheritingFixture extends BaseWithAReset {
        @Test
        void usesTheSuperclassFault(FaultListener server) {
            assertThat(server.faults()).containsExactly(Fault.reset().on(Connections.nth(3)));
        }
    }

    @Reset(after = 1000)
    @Reset(after = 2000)
    abstract static class BaseWithTwoResets {
    }

    @Fixture
    static class InheritingRepeatedFixture extends BaseWithTwoResets {
        @Test
        void usesBothSuperclassFaults(FaultListener server) {
            assertThat(server.faults()).containsExactly(
                    Fault.reset().after(Duration.ofSeconds(1)), Fault.reset().after(Duration.ofSeconds(2)));
        }
    }

    static void assertReset(Socket client) {
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    static void assertReadTimesOut(Socket client) throws IOException {
        client.setSoTimeout(200);
        assertThatThrownBy(() -> client.getInputStream().read())
                .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
    }
}
