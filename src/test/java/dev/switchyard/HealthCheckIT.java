package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.SteadyLoad;
import dev.switchyard.testkit.TestBackend;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Server;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Active health checks: ejection, return, the warm-up gate, backups, and 503 when all are down. */
class HealthCheckIT {

    private static final int INTERVAL_MS = 500;
    private static final int HEALTHY = 2;
    private static final int UNHEALTHY = 3;

    private static String config(String servers) {
        return """
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  admin { bind = "127.0.0.1:0" }
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web {
                    servers = [ %s ]
                    health-check { path = "/health", interval = %dms, timeout = 400ms,
                                   healthy-threshold = %d, unhealthy-threshold = %d }
                  } }
                }""".formatted(servers, INTERVAL_MS, HEALTHY, UNHEALTHY);
    }

    private static String servers(TestBackend... backends) {
        StringBuilder list = new StringBuilder();
        for (TestBackend backend : backends) {
            list.append("{ address = \"").append(backend.address()).append("\" }\n");
        }
        return list.toString();
    }

    private static Server server(ProxyFixture proxy, TestBackend backend) {
        return proxy.switchyard().snapshot().pools().get("web").servers().stream()
                .filter(s -> s.label().equals(backend.address()))
                .findFirst()
                .orElseThrow();
    }

    private static Set<String> answeringBackends(ProxyFixture proxy, int requests) throws Exception {
        Set<String> names = new HashSet<>();
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < requests; i++) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                names.add(response.header("X-Backend"));
            }
        }
        return names;
    }

    @Test
    void ejectsAServerWhoseHealthFailsAndTakesItBackWhenItRecovers() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2");
                ProxyFixture proxy = ProxyFixture.start(config(servers(s1, s2)))) {
            assertThat(answeringBackends(proxy, 6)).containsExactlyInAnyOrder("s1", "s2");

            s2.setHealthy(false);
            long sick = System.nanoTime();
            await().atMost(Duration.ofMillis((long) UNHEALTHY * INTERVAL_MS + 1000))
                    .until(() -> server(proxy, s2).state() == HealthState.DOWN);
            int before = s2.seen().size();
            assertThat(answeringBackends(proxy, 10))
                    .as("no traffic to the ejected server")
                    .containsExactly("s1");
            assertThat(s2.seen().size()).isEqualTo(before);
            assertThat(Duration.ofNanos(System.nanoTime() - sick).toMillis()).isLessThan(5000);

            s2.setHealthy(true);
            await().atMost(Duration.ofMillis((long) HEALTHY * INTERVAL_MS + 1000))
                    .until(() -> server(proxy, s2).state() == HealthState.UP);
            assertThat(answeringBackends(proxy, 6)).as("traffic is back").contains("s2");
        }
    }

    @Test
    void aServerFailingItsFirstProbeNeverTakesTraffic() throws Exception {
        try (TestBackend good = TestBackend.start("good");
                TestBackend sick = TestBackend.start("sick")) {
            sick.setHealthy(false);
            try (ProxyFixture proxy = ProxyFixture.start(config(servers(good, sick)))) {
                assertThat(server(proxy, good).state())
                        .as("probed before the listener opened")
                        .isEqualTo(HealthState.UP);
                assertThat(server(proxy, sick).state()).isEqualTo(HealthState.DOWN);
                assertThat(answeringBackends(proxy, 10)).containsExactly("good");
                assertThat(sick.seen()).as("warm-up gate: not one request").isEmpty();
            }
        }
    }

    @Test
    void backupTakesOverWhileNoPrimaryIsUpAndHandsBack() throws Exception {
        try (TestBackend primary = TestBackend.start("primary");
                TestBackend backup = TestBackend.start("backup")) {
            String servers = "{ address = \"" + primary.address() + "\" }\n{ address = \"" + backup.address()
                    + "\", backup = true }";
            try (ProxyFixture proxy = ProxyFixture.start(config(servers))) {
                assertThat(answeringBackends(proxy, 5)).containsExactly("primary");
                primary.setHealthy(false);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server(proxy, primary).state() == HealthState.DOWN);
                assertThat(answeringBackends(proxy, 5))
                        .as("the backup serves while the primary is down")
                        .containsExactly("backup");
                primary.setHealthy(true);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server(proxy, primary).state() == HealthState.UP);
                assertThat(answeringBackends(proxy, 5)).as("and hands back").containsExactly("primary");
            }
        }
    }

    @Test
    void answers503AtOnceWhenEveryServerIsDown() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1")) {
            s1.setHealthy(false);
            try (ProxyFixture proxy = ProxyFixture.start(config(servers(s1)));
                    RawHttp client = proxy.raw()) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); // warm the connection
                assertThat(client.read().status()).isEqualTo(503);
                long start = System.nanoTime();
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertThat(response.status()).isEqualTo(503);
                assertThat(millis).as("503 without waiting for anything").isLessThan(100);
            }
        }
    }

    @Test
    void liveTrafficEjectsADeadServerLongBeforeTheProbesWould() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2")) {
            String slowProbes = config(servers(s1, s2))
                    .replace("interval = " + INTERVAL_MS + "ms", "interval = 20s")
                    .replace("timeout = 400ms", "timeout = 1s");
            try (ProxyFixture proxy = ProxyFixture.start(slowProbes)) {
                Server dead = server(proxy, s2);
                s2.close();
                long start = System.nanoTime();
                try (RawHttp client = proxy.raw()) {
                    for (int i = 0; i < 12; i++) {
                        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertThat(client.read().status())
                                .as("retried on s1, never an error")
                                .isEqualTo(200);
                    }
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> dead.state() == HealthState.DOWN);
                assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis())
                        .as("ejected by live failures, not after 3 × 20 s of probes")
                        .isLessThan(5000);
            }
        }
    }

    @Test
    void losesNoRequestWhenAServerIsKilledUnderConcurrentLoad() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2");
                TestBackend s3 = TestBackend.start("s3");
                ProxyFixture proxy = ProxyFixture.start(config(servers(s1, s2, s3)))) {
            SteadyLoad load = new SteadyLoad(proxy.uri("/"), 20, Duration.ofSeconds(60));
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= 100);
                s2.close();
                int atKill = load.ok();
                // Waits for work done, not for time: the machine may be slow, never wrong.
                await().atMost(Duration.ofSeconds(30)).until(() -> load.ok() >= atKill + 200);
            } finally {
                load.close();
            }
            assertThat(load.errors())
                    .as("client-visible errors while s2 died, with retries = 1")
                    .isEmpty();
            assertThat(server(proxy, s2).state()).isEqualTo(HealthState.DOWN);
        }
    }

    @Test
    void statusShowsEveryServerWithItsStateAndCounters() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2")) {
            s2.setHealthy(false);
            try (ProxyFixture proxy = ProxyFixture.start(config(servers(s1, s2)))) {
                answeringBackends(proxy, 3);
                HttpResponse<String> status = proxy.client()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + proxy.switchyard()
                                                        .adminAddress()
                                                        .getPort() + "/status"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(status.statusCode()).isEqualTo(200);
                assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
                String json = status.body();
                assertThat(json)
                        .contains("\"name\":\"web\"")
                        .contains(
                                "{\"address\":\"" + s1.address() + "\",\"weight\":1,\"backup\":false,\"state\":\"UP\"")
                        .contains("{\"address\":\"" + s2.address()
                                + "\",\"weight\":1,\"backup\":false,\"state\":\"DOWN\"")
                        .contains("\"lastCheck\":\"failed: status 503\"")
                        .contains("\"lastCheck\":\"passed: status 200\"")
                        .contains("\"requests\":3");
            }
        }
    }
}
