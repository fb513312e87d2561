package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.testkit.SteadyLoad;
import dev.switchyard.testkit.TestBackend;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload and drain under steady concurrent load: zero failed requests, and the change takes effect. */
class OperationsIT {

    private static final Duration LOAD_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final HttpClient admin =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Path write(String strategy, TestBackend... backends) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (TestBackend backend : backends) {
            servers.append("{ address = \"").append(backend.address()).append("\" }\n");
        }
        Path file = dir.resolve("switchyard.conf");
        Files.writeString(file, """
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  admin { bind = "127.0.0.1:0" }
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web {
                    strategy = %s
                    servers = [ %s ]
                    health-check { interval = 500ms, timeout = 400ms }
                  } }
                }""".formatted(strategy, servers));
        return file;
    }

    private static Switchyard start(Path file) throws Exception {
        Switchyard proxy = Switchyard.start(ConfigLoader.load(file), file);
        // On a loaded machine a first probe can outlast the warm-up wait; load starts once all are UP.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy.snapshot().pools().get("web").servers().stream()
                        .allMatch(s -> s.state() == HealthState.UP));
        return proxy;
    }

    private HttpResponse<String> post(Switchyard proxy, String path) throws Exception {
        return admin.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(Switchyard proxy, String path, String authorization) throws Exception {
        return admin.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + proxy.adminAddress().getPort() + path))
                        .header("Authorization", authorization)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminTokenGuardsEveryMutatingEndpointButNotTheReadOnlyOnes() throws Exception {
        String token = "t0ken-for-the-admin-endpoint";
        try (TestBackend s1 = TestBackend.start("s1")) {
            Path file = write("round-robin", s1);
            Files.writeString(
                    file,
                    Files.readString(file)
                            .replace(
                                    "admin { bind = \"127.0.0.1:0\" }",
                                    "admin { bind = \"127.0.0.1:0\", token = \"" + token + "\" }"));
            try (Switchyard proxy = start(file)) {
                String drain = "/pools/web/servers/" + s1.address() + "/drain";

                HttpResponse<String> missing = post(proxy, drain);
                assertThat(missing.statusCode()).as("no Authorization header").isEqualTo(401);
                assertThat(missing.headers().firstValue("WWW-Authenticate"))
                        .hasValue("Bearer realm=\"switchyard-admin\"");
                assertThat(post(proxy, drain, "Bearer " + token + "x").statusCode())
                        .as("a longer token is a wrong token")
                        .isEqualTo(401);
                assertThat(post(proxy, drain, "Basic " + token).statusCode())
                        .as("only the Bearer scheme")
                        .isEqualTo(401);
                assertThat(post(proxy, "/reload", "Bearer wrong").statusCode()).isEqualTo(401);
                assertThat(server(proxy, s1).state())
                        .as("nothing changed on a refused request")
                        .isEqualTo(HealthState.UP);

                assertThat(post(proxy, drain, "Bearer " + token).statusCode()).isEqualTo(200);
                assertThat(server(proxy, s1).state()).isEqualTo(HealthState.DRAINING);
                assertThat(post(proxy, "/reload", "bearer " + token).statusCode())
                        .as("the scheme is case-insensitive (RFC 9110 §11.1)")
                        .isEqualTo(200);
                HttpResponse<String> status = admin.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + proxy.adminAddress().getPort() + "/status"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(status.statusCode())
                        .as("GET /status stays open for monitoring")
                        .isEqualTo(200);
            }
        }
    }

    private static URI uri(Switchyard proxy) {
        return URI.create("http://127.0.0.1:" + proxy.listenerAddress("public").getPort() + "/");
    }

    private static Server server(Switchyard proxy, TestBackend backend) {
        return proxy.snapshot().pools().get("web").server(backend.address());
    }

    /** True once the backend's request count stopped moving between two polls. */
    private static java.util.concurrent.Callable<Boolean> stable(TestBackend backend) {
        int[] last = {-1};
        return () -> {
            int now = backend.seen().size();
            boolean same = now == last[0];
            last[0] = now;
            return same;
        };
    }

    @Test
    void reloadKeepsTheTransportAndSaysAChangeNeedsARestart() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1")) {
            Path file = write("round-robin", s1);
            try (Switchyard proxy = start(file)) {
                String running = proxy.transportName();
                assertThat(proxy.reload())
                        .as("an unchanged file: nothing about a restart")
                        .doesNotContain("restart");

                Files.writeString(file, Files.readString(file).replace("threads = 2", "threads = 2\ntransport = nio"));
                assertThat(proxy.reload())
                        .as("the answer POST /reload gives")
                        .endsWith("; threads = 2 and transport = nio take effect at the next restart"
                                + " (running: threads = 2, transport = auto)");
                assertThat(proxy.transportName())
                        .as("the loops keep their transport")
                        .isEqualTo(running);
                HttpResponse<String> served =
                        admin.send(HttpRequest.newBuilder(uri(proxy)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(served.statusCode()).as("still serving").isEqualTo(200);
            }
        }
    }

    @Test
    void reloadsAddRemoveAndStrategyChangesWithoutAFailedRequest() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2");
                TestBackend s3 = TestBackend.start("s3")) {
            Path file = write("round-robin", s1, s2);
            try (Switchyard proxy = start(file);
                    SteadyLoad load = new SteadyLoad(uri(proxy), 8, LOAD_LIMIT)) {
                Server keptS1 = server(proxy, s1);
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 200);

                write("round-robin", s1, s2, s3);
                assertThat(post(proxy, "/reload").statusCode())
                        .as("reload adding s3")
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy("s3") > 20);
                assertThat(server(proxy, s1))
                        .as("an unchanged server keeps its identity and counters")
                        .isSameAs(keptS1);

                write("least-connections", s1, s3);
                assertThat(post(proxy, "/reload").statusCode())
                        .as("reload removing s2, changing strategy")
                        .isEqualTo(200);
                // Requests already on s2 finish there; then it must get nothing new.
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(300))
                        .until(stable(s2));
                int s2After = s2.seen().size();
                int okMark = load.ok();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okMark + 200);
                assertThat(s2.seen().size())
                        .as("a removed server gets no new request")
                        .isEqualTo(s2After);
                assertThat(proxy.snapshot().config().pools().get("web").strategy())
                        .isEqualTo("least-connections");

                Files.writeString(file, "switchyard { pools { web { servers = [ { adress = \"x\" } ] } } }");
                HttpResponse<String> broken = post(proxy, "/reload");
                assertThat(broken.statusCode()).as("a broken file is refused").isEqualTo(400);
                assertThat(broken.body())
                        .as("with file, line and reason")
                        .contains("switchyard.conf:1")
                        .contains("adress");
                int okBefore = load.ok();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okBefore + 100);

                load.close();
                assertThat(load.errors())
                        .as("failed requests across three reloads and a broken one")
                        .isEmpty();
            }
        }
    }

    @Test
    void drainsAServerUnderLoadWithoutAFailedRequestAndEnablesItAgain() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2")) {
            Path file = write("round-robin", s1, s2);
            try (Switchyard proxy = start(file);
                    SteadyLoad load = new SteadyLoad(uri(proxy), 8, LOAD_LIMIT)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy("s2") > 50);
                HttpResponse<String> drained = post(proxy, "/pools/web/servers/" + s2.address() + "/drain");
                assertThat(drained.statusCode()).isEqualTo(200);
                Server s2Server = server(proxy, s2);
                assertThat(s2Server.state()).isEqualTo(HealthState.DRAINING);
                await().atMost(Duration.ofSeconds(5)).until(() -> s2Server.inFlight() == 0);
                int s2Seen = s2.seen().size();
                int okBefore = load.ok();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okBefore + 200);
                assertThat(s2.seen().size())
                        .as("a draining server gets no new request")
                        .isEqualTo(s2Seen);
                assertThat(post(proxy, "/status").statusCode())
                        .as("/status is GET only")
                        .isEqualTo(404);

                assertThat(post(proxy, "/pools/web/servers/" + s2.address() + "/enable")
                                .statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> s2.seen().size() > s2Seen + 20);
                assertThat(post(proxy, "/pools/web/servers/10.9.9.9:1/drain").statusCode())
                        .isEqualTo(404);

                load.close();
                assertThat(load.errors()).as("failed requests while draining").isEmpty();
            }
        }
    }
}
