package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow or idle clients lose their connection on time; a client within the limits does not.
 * Requests with {@code Host: stall} go to a backend of their own, so its open connections
 * tell whether the proxy closed the one a stalled request used.
 */
class ClientTimeoutsIT {

    private static final long CLIENT_BODY_MILLIS = 400;

    private static TestBackend backend;
    private static TestBackend stall;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        stall = TestBackend.start("stall");
        proxy = ProxyFixture.start("""
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [
                    { host = "stall", path-prefix = "/", pool = stall }
                    { path-prefix = "/", pool = web }
                  ]
                  pools {
                    web { servers = [ { address = "%s" } ] }
                    stall { servers = [ { address = "%s" } ] }
                  }
                  timeouts { client-header = 700ms, client-body = %dms, client-idle = 1s }
                }
                """.formatted(backend.address(), stall.address(), CLIENT_BODY_MILLIS));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
        stall.close();
    }

    @Test
    void answers408AndClosesWhenTheHeadTricklesInTooSlowly() throws Exception {
        int before = backend.seen().size();
        long start = System.nanoTime();
        try (RawHttp client = proxy.raw()) {
            client.send("GET /trickle HTTP/1.1\r\nHost: x\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.status()).as("slowloris gets 408").isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(millis)
                .as("cut off after client-header (700 ms), not much later")
                .isBetween(600L, 5000L);
        assertThat(backend.seen().size())
                .as("an incomplete head is never forwarded")
                .isEqualTo(before);
    }

    /**
     * The proxy reads ahead while it serves a request; the start of the next head, read then,
     * must start that head's client-header clock when its turn comes (408), not count as the
     * quiet of an idle connection (a plain close after client-idle).
     */
    @Test
    void answers408WhenAHeadReadAheadDuringAResponseNeverCompletes() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /slow?ms=500 HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> backend.seen().stream().anyMatch(s -> s.uri().startsWith("/slow")));
            client.send("GET /never-completed HTTP/1.1\r\nHost: x\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            long answered = System.nanoTime();
            RawHttp.Response second = client.read();
            assertThat(second.status())
                    .as("the half head read ahead is timed as a head")
                    .isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - answered).toMillis())
                    .as("its client-header clock starts when its turn comes")
                    .isBetween(600L, 5000L);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(backend.seen()).noneMatch(s -> s.uri().startsWith("/never-completed"));
    }

    @Test
    void closesAConnectionThatNeverSendsAnything() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.setTimeoutMillis(5000);
            assertThat(client.closedByPeer())
                    .as("silent connection closed after client-header")
                    .isTrue();
        }
    }

    @Test
    void closesAnIdleKeepAliveConnectionAfterClientIdle() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            long idleStart = System.nanoTime();
            client.setTimeoutMillis(5000);
            assertThat(client.closedByPeer())
                    .as("idle keep-alive connection is closed")
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - idleStart).toMillis())
                    .as("closed after client-idle (1 s), not at the shorter client-header")
                    .isBetween(900L, 4500L);
        }
    }

    @Test
    void keepsAConnectionWhoseRequestsComeWithinTheIdleTimeout() throws Exception {
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 3; i++) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
                long sent = System.nanoTime();
                // Deliberately quiet for less than client-idle: this waits for time, not a state.
                Thread.sleep(400);
                assertThat(Duration.ofNanos(System.nanoTime() - sent).toMillis())
                        .isLessThan(1000L);
            }
        }
    }

    @Test
    void answers408AndClosesWhenABodyStalls() throws Exception {
        int seen = stall.seen().size();
        long before = stall.bodyBytesReceived();
        try (RawHttp client = proxy.raw()) {
            client.send("POST /upload HTTP/1.1\r\nHost: stall\r\nContent-Length: 10000\r\n\r\n" + "b".repeat(1000));
            long stalled = System.nanoTime();
            RawHttp.Response response = client.read();
            long millis = Duration.ofNanos(System.nanoTime() - stalled).toMillis();
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
            assertThat(millis)
                    .as("cut off after client-body (400 ms) of silence, not much later")
                    .isBetween(CLIENT_BODY_MILLIS - 100, 5000L);
        }
        assertThat(stall.seen().size()).as("the head was forwarded").isEqualTo(seen + 1);
        awaitStallConnectionsClosed();
        assertThat(stall.bodyBytesReceived() - before).isLessThanOrEqualTo(1000);
    }

    @Test
    void closesWithoutA408WhenABodyStallsAfterTheResponseStarted() throws Exception {
        try (RawHttp client = proxy.raw()) {
            // /echo answers at once and streams the body back as it arrives.
            client.send("POST /echo HTTP/1.1\r\nHost: stall\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            assertThat(client.readHead()).startsWith("HTTP/1.1 200");
            String rest = new String(client.readRest(), StandardCharsets.ISO_8859_1);
            assertThat(rest)
                    .as("the echo, then a close: no 408 after a started response, no final chunk")
                    .contains("hello")
                    .doesNotContain("408")
                    .doesNotEndWith("0\r\n\r\n");
        }
        awaitStallConnectionsClosed();
    }

    /**
     * The backend takes no body for three times client-body: the proxy stops reading the client
     * meanwhile, and that silence is the proxy's, so the upload goes through. The body is far
     * larger than every socket buffer on the way, so the client is really held back.
     */
    @Test
    void doesNotCutABodyPausedByBackPressure() throws Exception {
        long pauseMillis = 3 * CLIENT_BODY_MILLIS;
        int pieces = 512;
        byte[] piece = new byte[64 * 1024];
        java.util.Arrays.fill(piece, (byte) 'p');
        long total = (long) pieces * piece.length;
        try (RawHttp client = proxy.raw()) {
            long start = System.nanoTime();
            client.send(
                    "POST /pause?ms=" + pauseMillis + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + total + "\r\n\r\n");
            for (int i = 0; i < pieces; i++) {
                client.send(piece);
            }
            long sendMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).startsWith(total + " ");
            assertThat(sendMillis)
                    .as("the client was held back by back-pressure for longer than client-body")
                    .isGreaterThanOrEqualTo(pauseMillis - 100);
        }
    }

    /** Within 3 s: a close, not the 4 s idle timeout of a pooled connection (Connector). */
    private static void awaitStallConnectionsClosed() {
        await("the backend connection of the cut request is closed, not pooled")
                .atMost(Duration.ofSeconds(3))
                .until(() -> stall.openConnections() == 0);
    }
}
