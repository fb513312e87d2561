package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Regressions for what RequestFuzzIT found, each as the smallest exchange that showed it. */
class FuzzFindingsIT {

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        proxy = ProxyFixture.inFrontOf("", backend);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    /**
     * A request with a body that arrived in the same read as the request before it waits in
     * the handler's queue; when it is served from there, no client read follows to flush its
     * body upstream, so the backend never got it whole and the client never got an answer.
     */
    @Test
    void servesAPipelinedRequestWithABody() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            RawHttp.Response second = client.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).startsWith("3 ");
            RawHttp.Response third = client.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.text()).startsWith("2 ");
        }
    }
}
