package dev.netfault;

import static dev.netfault.Clients.awaitAccepted;
import static dev.netfault.testsupport.Sockets.PATIENCE;
import static dev.netfault.testsupport.Sockets.connect;
import static dev.netfault.testsupport.Sockets.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("leakConnections(n): a server that leaks what it accepts")
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeakyServerTests {

    private static final int LIMIT = 2;

    private final FaultListener listener = FaultListener.standalone().name("leaky").leakConnections(LIMIT).start();
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void release() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
        listener.close();
    }

    private Socket connectClient() throws IOException {
        Socket socket = connect(listener.address());
        clients.add(socket);
        return socket;
    }

    @Test
    void acceptedClientsWriteButTheirReadsTimeOut() throws IOException {
        for (int i = 0; i < LIMIT; i++) {
            Socket socket = connectClient();
            socket.setSoTimeout(300);
            socket.getOutputStream().write(new byte[8 * 1024]);

            assertThatThrownBy(() -> socket.getInputStream().read())
                    .isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(listener.journal().connections()).hasSize(LIMIT).allSatisfy(record -> {
            assertThat(record.leaked()).isTrue();
            assertThat(record.bytesFromClient()).as("a leaky server never reads").isZero();
        }));
    }

    @Test
    void onceTheLimitIsAcceptedANewConnectTimesOut() throws IOException {
        for (int i = 0; i < LIMIT; i++) {
            connectClient();
        }
        awaitAccepted(listener.journal(), LIMIT);

        long start = System.nanoTime();
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(listener.address(), 500))
                    .isExactlyInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
        }
        assertThat(millisSince(start)).isBetween(450L, PATIENCE.toMillis());
        assertThat(listener.journal().accepted()).isEqualTo(LIMIT);
        assertThat(listener.journal().events()).extracting(JournalEvent::type).contains(JournalEvent.Type.ACCEPT_QUEUE_FILLED);
    }

    @Test
    void aClientThatClosesIsLeftUnanswered() throws IOException {
        Socket socket = connectClient();
        awaitAccepted(listener.journal(), 1);
        socket.close();

        await().during(Duration.ofMillis(300)).atMost(PATIENCE).untilAsserted(() -> {
            ConnectionRecord record = listener.journal().connection(1).orElseThrow();
            assertThat(record.leaked()).isTrue();
            assertThat(record.listenerClosure()).isEqualTo(Closure.OPEN);
            assertThat(record.closed()).isEmpty();
        });
    }

    @Test
    void httpClientRequestsTimeOutThenItsConnectsTimeOut() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest request = HttpRequest.newBuilder(listener.uri("http")).timeout(Duration.ofMillis(300)).build();

        for (int i = 0; i < LIMIT; i++) {
            assertThatThrownBy(() -> Clients.send(client, request))
                    .isExactlyInstanceOf(HttpTimeoutException.class).hasMessage("request timed out");
        }
        awaitAccepted(listener.journal(), LIMIT);
        assertThatThrownBy(() -> Clients.send(client, Clients.get(listener.uri("http"))))
                .isExactlyInstanceOf(HttpConnectTimeoutException.class).hasMessage("HTTP connect timed out");
    }

    @Test
    void closingTheListenerResetsTheLeakedConnections() throws IOException {
        Socket socket = connectClient();
        awaitAccepted(listener.journal(), 1);

        listener.close();

        assertThatThrownBy(() -> socket.getInputStream().read()).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
    }
}
