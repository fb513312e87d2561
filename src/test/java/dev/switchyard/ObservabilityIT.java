package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, X-Request-Id and the access log, against the running proxy. */
class ObservabilityIT {

    @TempDir
    Path dir;

    private String config(TestBackend backend, String accessLog) {
        return """
                switchyard {
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  admin { bind = "127.0.0.1:0" }
                  %s
                  routes = [ { host = "shop.example", path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "%s" } ] } }
                }""".formatted(accessLog, backend.address());
    }

    @Test
    void exposesPrometheusMetricsForPoolsServersListenersAndTheJvm() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.start(config(backend, ""))) {
            try (RawHttp client = proxy.raw()) {
                for (int i = 0; i < 3; i++) {
                    client.send("GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n");
                    assertThat(client.read().status()).isEqualTo(200);
                }
                client.send("GET / HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(404);
            }
            String server = "server=\"" + backend.address() + "\"";
            String metrics = proxy.adminGet("/metrics");
            assertThat(metrics)
                    .as("requests by pool, server and status class")
                    .containsPattern("switchyard_requests_total\\{pool=\"web\"," + server.replace(".", "\\.")
                            + ",status_class=\"2xx\"} 3\\.0");
            assertThat(metrics)
                    .contains("switchyard_request_duration_seconds_bucket{pool=\"web\",le=\"0.001048576\"}")
                    .contains("switchyard_request_duration_seconds_count{pool=\"web\"} 3")
                    .contains("switchyard_upstream_duration_seconds_bucket{pool=\"web\"," + server + ",le=\"+Inf\"} 3")
                    .contains("switchyard_server_in_flight{pool=\"web\"," + server + "}")
                    .contains("switchyard_server_open_connections{pool=\"web\"," + server + "}")
                    .contains("switchyard_server_up{pool=\"web\"," + server + "} 1.0")
                    .contains("switchyard_server_connect_failures_total{pool=\"web\"," + server + "}")
                    .contains("switchyard_server_ejections_total{pool=\"web\"," + server + "}")
                    .contains("switchyard_retries_total{pool=\"web\"}")
                    .contains("switchyard_local_responses_total{status_class=\"4xx\"} 1.0")
                    .contains("switchyard_listener_connections_accepted_total{listener=\"public\"}")
                    .contains("switchyard_listener_connections_open{listener=\"public\"}")
                    .contains("switchyard_listener_received_bytes_total{listener=\"public\"}")
                    .contains("switchyard_listener_sent_bytes_total{listener=\"public\"}")
                    .contains("jvm_memory_used_bytes")
                    .contains("switchyard_netty_direct_memory_used_bytes");
            assertThat(metrics)
                    .as("the allocator the gauge reports is the one the proxied connections draw from")
                    .containsPattern("(?m)^switchyard_netty_allocator_direct_used_bytes [1-9][0-9.E]*$");
        }
    }

    @Test
    void keepsASaneRequestIdReplacesABadOneAndAlwaysReturnsIt() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.start(config(backend, ""));
                RawHttp client = proxy.raw()) {
            client.send("GET /a HTTP/1.1\r\nHost: shop.example\r\nX-Request-Id: order-42.retry:1\r\n\r\n");
            assertThat(client.read().header("X-Request-Id")).isEqualTo("order-42.retry:1");
            client.send("GET /b HTTP/1.1\r\nHost: shop.example\r\nX-Request-Id: bad id; rm -rf\r\n\r\n");
            String replaced = client.read().header("X-Request-Id");
            assertThat(replaced).as("an insane id is replaced by ours").matches("[0-9a-f]{32}");
            client.send("GET /c HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            String generated = client.read().header("X-Request-Id");
            assertThat(generated).matches("[0-9a-f]{32}").isNotEqualTo(replaced);
            List<String> forwarded = backend.seen().stream()
                    .map(s -> s.headers().get("X-Request-Id"))
                    .toList();
            assertThat(forwarded)
                    .as("the backend gets the same ids")
                    .containsExactly("order-42.retry:1", replaced, generated);
        }
    }

    @Test
    void writesOneJsonLinePerExchangeIncludingLocalAnswers() throws Exception {
        Path log = dir.resolve("access.log");
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.start(
                        config(backend, "access-log { enabled = true, format = json, output = \"" + log + "\" }"));
                RawHttp client = proxy.raw()) {
            client.send("GET /cart?x=1 HTTP/1.1\r\nHost: shop.example\r\nX-Request-Id: abc-1\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            client.send("GET /nowhere HTTP/1.1\r\nHost: elsewhere\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(404);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(log) && Files.readAllLines(log).size() == 2);
            List<String> lines = Files.readAllLines(log);
            assertThat(lines.get(0))
                    .contains(
                            "\"method\":\"GET\"",
                            "\"path\":\"/cart?x=1\"",
                            "\"version\":\"HTTP/1.1\"",
                            "\"status\":200",
                            "\"bytes\":3",
                            "\"pool\":\"web\"",
                            "\"server\":\"" + backend.address() + "\"",
                            "\"retries\":0",
                            "\"request_id\":\"abc-1\"",
                            "\"client\":\"127.0.0.1\"")
                    .containsPattern("\"upstream_ms\":[0-9.]+,\"total_ms\":[0-9.]+");
            assertThat(lines.get(1))
                    .contains("\"status\":404", "\"pool\":null", "\"server\":null", "\"path\":\"/nowhere\"");
        }
    }

    @Test
    void writesTextLinesToo() throws Exception {
        Path log = dir.resolve("text.log");
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.start(
                        config(backend, "access-log { enabled = true, format = text, output = \"" + log + "\" }"));
                RawHttp client = proxy.raw()) {
            client.send(
                    "POST /order HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 2\r\nX-Request-Id: r9\r\n\r\nok");
            assertThat(client.read().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(log) && !Files.readAllLines(log).isEmpty());
            assertThat(Files.readAllLines(log).get(0))
                    .matches(
                            "\\S+Z 127\\.0\\.0\\.1 \"POST /order HTTP/1\\.1\" 200 3 pool=web server=127\\.0\\.0\\.1:\\d+ "
                                    + "upstream_ms=[0-9.]+ total_ms=[0-9.]+ retries=0 request_id=r9");
        }
    }
}
