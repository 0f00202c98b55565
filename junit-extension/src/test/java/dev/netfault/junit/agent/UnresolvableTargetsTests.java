package dev.netfault.junit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netfault.FaultListener;
import dev.netfault.junit.EnableNetFault;
import dev.netfault.junit.NetFault;
import dev.netfault.junit.RefuseConnections;
import dev.netfault.testsupport.Outcome;
import dev.netfault.testsupport.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Applications configured with production host names that do not resolve in the test
 * ({@code .invalid} never does): redirected and refused without a hosts file or a DNS server.
 */
@DisplayName("targets whose host name does not resolve")
@EnableNetFault
class UnresolvableTargetsTests {

    /** What the real HTTP server answers to every request. */
    private static final String WEB_BODY = "a response from the real server\n".repeat(64);

    private static final String HOST = "payments.netfault.invalid";
    private static final String REFUSED = "java.net.ConnectException: Connection refused";

    private WebServer web;

    @BeforeEach
    void startTheFakeService() {
        web = WebServer.answering(WEB_BODY);
    }

    @AfterEach
    void stopIt() throws IOException {
        web.close();
    }

    @Test
    @RefuseConnections(HOST + ":443")
    void refusedByTheKernelNotUnknown() {
        assertThat(Outcome.of(() -> Clients.socketEcho(HOST, 443, "ping"))).isEqualTo(Outcome.of(REFUSED));
        assertThat(Outcome.of(() -> Clients.channelEcho(HOST, 443, "ping"))).isEqualTo(Outcome.of(REFUSED));
        assertThat(Outcome.of(() -> Clients.urlConnectionGet("http://" + HOST + ":443/"))).isEqualTo(Outcome.of(REFUSED));
    }

    @Test
    void redirectedToAFakeServiceBehindAFaultListener(NetFault netfault) throws Exception {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(new InetSocketAddress(InetAddress.getLoopbackAddress(), web.port())));
        netfault.redirect(HOST + ":8443", listener);
        String url = "http://" + HOST + ":8443/stock";

        assertThat(Clients.httpClientGet(Clients.httpClient(), url)).isEqualTo(WEB_BODY);
        assertThat(Clients.urlConnectionGet(url)).isEqualTo(WEB_BODY);
        OkHttpClient okHttp = Clients.okHttp();
        try {
            assertThat(Clients.okHttpGet(okHttp, url)).isEqualTo(WEB_BODY);
        } finally {
            Clients.shutDown(okHttp);
        }
        assertThat(listener.journal().connections()).hasSize(3);
    }

    @Test
    void faultsApplyOnTheWay(NetFault netfault) {
        FaultListener listener = netfault.start(FaultListener.inFrontOf(new InetSocketAddress(InetAddress.getLoopbackAddress(), web.port())).neverAccept().fillAcceptQueue());
        netfault.redirect(HOST + ":8443", listener);

        assertThat(Outcome.of(() -> Clients.httpClientGet(Clients.httpClient(), "http://" + HOST + ":8443/")))
                .isEqualTo(Outcome.of("java.net.http.HttpConnectTimeoutException: HTTP connect timed out",
                        "java.net.http.HttpConnectTimeoutException: HTTP connect timed out",
                        "java.net.ConnectException: HTTP connect timed out"));
        assertThat(listener.journal().accepted()).isZero();
    }
}
