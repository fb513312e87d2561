package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Upstream keep-alive done safely, and back-pressure that keeps the proxy's memory flat. */
class KeepAliveIT {

    private static final String ONE_LOOP_NO_RETRY = "threads = 1\npools.web.retries = 0";

    @Test
    void retriesAGetOnAFreshConnectionWhenAReusedOneWasClosedUnderIt() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf(ONE_LOOP_NO_RETRY, backend)) {
            try (RawHttp client = proxy.raw()) {
                for (int i = 0; i < 5; i++) {
                    client.send("GET /first-only HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(client.read().status())
                            .as("request %d succeeds although every reused connection dies, with retries = 0", i)
                            .isEqualTo(200);
                }
            }
            assertThat(backend.connectionsAccepted())
                    .as("each request after the first needed a fresh connection")
                    .isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void neverReplaysAPostOnAReusedConnectionThatDied() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf(ONE_LOOP_NO_RETRY, backend)) {
            try (RawHttp client = proxy.raw()) {
                client.send("POST /first-only HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na");
                assertThat(client.read().status()).isEqualTo(200);
                client.send("POST /first-only HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb");
                assertThat(client.read().status())
                        .as("the backend may have acted on it: 502, not a replay")
                        .isEqualTo(502);
            }
            assertThat(backend.seen()).hasSize(2);
        }
    }

    @Test
    void closesAPooledConnectionUnusedForThePoolIdleTimeout() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf(ONE_LOOP_NO_RETRY, backend)) {
            try (RawHttp client = proxy.raw()) {
                for (int i = 0; i < 3; i++) {
                    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(client.read().status()).isEqualTo(200);
                }
            }
            assertThat(backend.openConnections())
                    .as("one connection, reused, then pooled")
                    .isEqualTo(1);
            long pooled = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).until(() -> backend.openConnections() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - pooled).toMillis())
                    .as("closed by the proxy after Connector.POOLED_IDLE_TIMEOUT (4 s), not before")
                    .isGreaterThanOrEqualTo(3000L);
        }
    }

    @Test
    void dropsAPooledConnectionTheBackendClosedWhileIdle() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf(ONE_LOOP_NO_RETRY, backend)) {
            try (RawHttp client = proxy.raw()) {
                client.send("GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> proxy.switchyard()
                                        .snapshot()
                                        .pools()
                                        .get("web")
                                        .servers()
                                        .get(0)
                                        .openConnections()
                                == 0);
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void stopsReadingTheBackendWhileTheClientIsNotReading() throws Exception {
        long size = 512L * 1024 * 1024;
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("", backend)) {
            HttpResponse<InputStream> response = proxy.client()
                    .send(
                            HttpRequest.newBuilder(proxy.uri("/download?bytes=" + size))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                body.readNBytes(1024);
                // The client now reads nothing: the backend must stall once socket buffers and
                // the proxy's 64 KiB write watermark are full, far below the body's 512 MiB.
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(300))
                        .until(new Stalled(backend));
                assertThat(backend.downloadBytesSent())
                        .as("bytes in flight while the client is not reading")
                        .isLessThan(64L * 1024 * 1024);
                byte[] rest = body.readNBytes(4 * 1024 * 1024);
                assertThat(rest)
                        .as("the transfer resumes when the client reads again")
                        .hasSize(4 * 1024 * 1024);
            }
        }
    }

    /** True once the backend's sent count stopped moving between two polls. */
    private static final class Stalled implements java.util.concurrent.Callable<Boolean> {
        private final TestBackend backend;
        private long last = -1;

        Stalled(TestBackend backend) {
            this.backend = backend;
        }

        @Override
        public Boolean call() {
            long now = backend.downloadBytesSent();
            boolean stalled = now == last && now > 0;
            last = now;
            return stalled;
        }
    }
}
