package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slow or idle clients lose their connection on time; a client within the limits does not. */
class ClientTimeoutsIT {

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        proxy = ProxyFixture.inFrontOf("timeouts { client-header = 700ms, client-idle = 1s }", backend);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
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
}
