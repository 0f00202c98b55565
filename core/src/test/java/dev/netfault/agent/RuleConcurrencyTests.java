package dev.netfault.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netfault.AgentRule;
import dev.netfault.FaultListener;
import dev.netfault.SocketAgent;
import dev.netfault.Target;
import dev.netfault.testsupport.EchoServer;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The agent's shared state under many threads, and rules that leave host or port open versus netfault's own listeners. */
@DisplayName("agent rules under concurrency and scoping")
class RuleConcurrencyTests {

    @BeforeAll
    static void install() {
        SocketAgent.install();
    }

    @Test
    void everyRuleAppliesExactlyWhileItIsActiveWhileOthersComeAndGo() throws Exception {
        int workers = 8;
        int rounds = 40;
        ExecutorService pool = Executors.newFixedThreadPool(workers + 2);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        try (EchoServer bystanderServer = EchoServer.start()) {
            // bystanders connect all the time to a target no rule names: never touched
            for (int b = 0; b < 2; b++) {
                futures.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try (Socket s = new Socket("127.0.0.1", bystanderServer.port())) {
                            s.getOutputStream().write(1);
                            assertThat(s.getInputStream().read()).isEqualTo(1);
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> ruled = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                ruled.add(pool.submit(() -> {
                    try (EchoServer real = EchoServer.start()) {
                        Target target = Target.parse("127.0.0.1:" + real.port());
                        for (int r = 0; r < rounds; r++) {
                            try (AgentRule rule = SocketAgent.refuse(target)) {
                                assertThatThrownBy(() -> new Socket("127.0.0.1", real.port()).close())
                                        .as("round %d: a connect while the rule is active", r).isInstanceOf(ConnectException.class);
                                assertThat(rule.matches()).isEqualTo(1);
                            }
                            try (Socket s = new Socket("127.0.0.1", real.port())) {
                                s.getOutputStream().write(2);
                                assertThat(s.getInputStream().read()).as("round %d: a connect after the rule closed", r).isEqualTo(2);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : ruled) {
                f.get(2, TimeUnit.MINUTES);
            }
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    void aHostOnlyOrPortOnlyRuleNeverTouchesNetfaultsOwnListeners() throws Exception {
        try (FaultListener otherTests = FaultListener.standalone().echo().start();
             EchoServer application = EchoServer.start();
             AgentRule byHost = SocketAgent.refuse(Target.parse("localhost"));
             AgentRule byPort = SocketAgent.refuse(Target.port(otherTests.port()))) {
            try (Socket toListener = new Socket("localhost", otherTests.port())) {
                toListener.getOutputStream().write(7);
                assertThat(toListener.getInputStream().read()).isEqualTo(7);
            }
            assertThatThrownBy(() -> new Socket("localhost", application.port()).close()).isInstanceOf(ConnectException.class);
            assertThat(byHost.matches()).isEqualTo(1);
            assertThat(byPort.matches()).isZero();
        }
    }

    @Test
    void anApplicationServerOnAnotherLoopbackAddressWithAListenersPortNumberIsStillAimedAt() throws Exception {
        try (FaultListener listener = FaultListener.standalone().echo().start();
             java.net.ServerSocket application = new java.net.ServerSocket(listener.port(), 50, java.net.InetAddress.getByName("127.0.0.21"));
             AgentRule rule = SocketAgent.refuse(Target.parse("127.0.0.21"))) {
            assertThat(application.getLocalPort()).isEqualTo(listener.port());
            assertThatThrownBy(() -> new Socket("127.0.0.21", listener.port()).close()).isInstanceOf(ConnectException.class);
            assertThat(rule.matches()).isEqualTo(1);
        }
    }

    @Test
    void anExactHostAndPortMayStillAimAtAListener() throws Exception {
        try (FaultListener listener = FaultListener.standalone().echo().start();
             AgentRule rule = SocketAgent.refuse(Target.parse("127.0.0.1:" + listener.port()))) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", listener.port()).close()).isInstanceOf(ConnectException.class);
            assertThat(rule.matches()).isEqualTo(1);
        }
    }
}
