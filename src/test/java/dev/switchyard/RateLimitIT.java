package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * limits.rate-per-ip on real sockets: past the burst a request gets 429 with Retry-After, is
 * never forwarded, is counted and logged, and the connection stays open; the token is back
 * after the Retry-After; the key is the TCP peer, whatever X-Forwarded-For says.
 */
class RateLimitIT {

    private static final int BURST = 3;

    @TempDir
    Path dir;

    private TestBackend backend;
    private ProxyFixture proxy;
    /** The 429 that ended {@link #takeTheBurst}. */
    private RawHttp.Response lastRefusal;

    private Path accessLog;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("s1");
        accessLog = dir.resolve("access.log");
        proxy = ProxyFixture.start("""
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  admin { bind = "127.0.0.1:0" }
                  access-log { enabled = true, format = text, output = "%s" }
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "%s" } ] } }
                  limits { rate-per-ip = 1, burst = %d }
                }""".formatted(accessLog, backend.address(), BURST));
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void answers429WithRetryAfterPastTheBurstAndNeverForwards() throws Exception {
        try (RawHttp client = proxy.raw()) {
            long start = System.nanoTime();
            int passed = takeTheBurst(client);
            double seconds = (System.nanoTime() - start) / 1e9;
            // At 1/s a slow machine may earn a token or two while it sends the burst.
            assertThat(passed).as("the burst passes").isBetween(BURST, BURST + 1 + (int) seconds);
            assertThat(backend.seen())
                    .as("only the passed requests reached the backend")
                    .hasSize(passed);

            RawHttp.Response limited = lastRefusal;
            assertThat(limited.header("Retry-After"))
                    .as("whole seconds until the next token, at 1/s at most 1")
                    .isEqualTo("1");
            assertThat(limited.header("Connection"))
                    .as("no body announced: keep-alive")
                    .isNull();
            assertThat(limited.text()).startsWith("429 Too Many Requests");

            client.send("GET /forwarded HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
            assertThat(client.read().status())
                    .as("the same connection, and a forged X-Forwarded-For changes nothing")
                    .isEqualTo(429);
            assertThat(backend.seen()).as("no 429 was forwarded").hasSize(passed);

            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        client.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
                        return client.read().status() == 200;
                    });
            assertThat(backend.seen()).hasSize(passed + 1);
        }
        assertThat(proxy.adminGet("/metrics"))
                .containsPattern("switchyard_local_responses_total\\{status_class=\"4xx\"} [1-9]");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        Files.exists(accessLog) && Files.readString(accessLog).contains("\"GET /burst HTTP/1.1\" 429"));
    }

    @Test
    void closesTheConnectionWhenTheRefusedRequestAnnouncedABody() throws Exception {
        try (RawHttp client = proxy.raw()) {
            takeTheBurst(client);
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Response limited = client.read();
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void anotherAddressHasABucketOfItsOwn() throws Exception {
        InetAddress other = InetAddress.getByName("127.0.0.2");
        assumeTrue(RawHttp.canBindLocally(other), "127.0.0.2 is not usable on this host's loopback");
        try (RawHttp client = proxy.raw();
                RawHttp neighbour = new RawHttp(proxy.address(), other)) {
            takeTheBurst(client);
            neighbour.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(neighbour.read().status()).isEqualTo(200);
        }
    }

    /** Sends GETs until one gets 429 (bounded); returns how many passed. */
    private int takeTheBurst(RawHttp client) throws IOException {
        for (int passed = 0; passed < BURST + 20; passed++) {
            client.send("GET /burst HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = client.read();
            if (response.status() == 429) {
                lastRefusal = response;
                return passed;
            }
            assertThat(response.status()).isEqualTo(200);
        }
        throw new AssertionError("never rate-limited");
    }
}
