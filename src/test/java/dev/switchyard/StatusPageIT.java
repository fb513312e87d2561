package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.TestBackend;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Server;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page at the admin endpoint's {@code GET /}, loaded in a real headless Chromium:
 * asserts the DOM after the page's script fetched {@code /status} and rendered it, not the
 * HTML the server sent. Without {@code chromium} on the PATH the tests are skipped, unless
 * {@code SWITCHYARD_REQUIRE_BROWSER} is set (CI sets it), in which case they fail.
 */
class StatusPageIT {

    private static final String NO_BROWSER = "the status page tests need a headless browser: install chromium "
            + "(apt-get install -y chromium; see .ci/run)";
    private static final Duration BROWSER_DEADLINE = Duration.ofSeconds(60);
    /** Virtual time the page gets to run its script: the first fetch of /status and one 2 s poll. */
    private static final int VIRTUAL_TIME_MS = 3000;

    private static final Pattern TABLE = Pattern.compile("<table\\b([^>]*)>(.*?)</table>", Pattern.DOTALL);
    private static final Pattern ROW = Pattern.compile("<tr\\b([^>]*)>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z][\\w-]*)=\"([^\"]*)\"");

    private static final Path CHROMIUM = onPath("chromium").orElse(null);

    @TempDir
    Path dir;

    /** One {@code <tr class="server">} of the rendered page: its data-* attributes and inner HTML. */
    private record Row(String server, String state, String html) {}

    /** Per test, not per class, so Maven's summary counts each test as skipped or failed. */
    @BeforeEach
    void needsBrowser() {
        String required = System.getenv("SWITCHYARD_REQUIRE_BROWSER");
        if (required != null && !required.isBlank()) {
            assertThat(CHROMIUM).as(NO_BROWSER).isNotNull();
        }
        assumeTrue(CHROMIUM != null, NO_BROWSER);
    }

    private static String config(TestBackend... backends) {
        StringBuilder servers = new StringBuilder();
        for (TestBackend backend : backends) {
            servers.append("{ address = \"").append(backend.address()).append("\" }\n");
        }
        return """
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  admin { bind = "127.0.0.1:0" }
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web {
                    servers = [ %s ]
                    health-check { path = "/health", interval = 200ms, timeout = 150ms,
                                   healthy-threshold = 2, unhealthy-threshold = 2 }
                  } }
                }""".formatted(servers);
    }

    @Test
    void rendersOneRowPerServerWithItsAddressAndStateUp() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2");
                ProxyFixture proxy = ProxyFixture.start(config(s1, s2))) {
            String dom = renderedPage(proxy);

            assertRendered(dom);
            List<Row> rows = serverRows(dom, "web");
            assertThat(rows)
                    .extracting(Row::server)
                    .as("one row per server of pool web, in config order")
                    .containsExactly(s1.address(), s2.address());
            assertThat(rows)
                    .extracting(Row::state)
                    .as("both pass their health checks")
                    .containsOnly("UP");
            assertThat(rows)
                    .allSatisfy(row -> assertThat(row.html())
                            .as("a green UP badge in the row of %s", row.server())
                            .contains("<span class=\"state UP\">UP</span>"));
        }
    }

    @Test
    void showsAServerDownOnceItsHealthChecksFail() throws Exception {
        try (TestBackend s1 = TestBackend.start("s1");
                TestBackend s2 = TestBackend.start("s2");
                ProxyFixture proxy = ProxyFixture.start(config(s1, s2))) {
            assertThat(serverRows(renderedPage(proxy), "web"))
                    .extracting(Row::state)
                    .as("before: both UP")
                    .containsExactly("UP", "UP");

            s2.setHealthy(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> server(proxy, s2).state() == HealthState.DOWN);
            String dom = renderedPage(proxy);

            assertRendered(dom);
            Map<String, Row> rows = new HashMap<>();
            serverRows(dom, "web").forEach(row -> rows.put(row.server(), row));
            assertThat(rows).as("rows by address").containsOnlyKeys(s1.address(), s2.address());
            assertThat(rows.get(s2.address()).state())
                    .as("the sick server's row")
                    .isEqualTo("DOWN");
            assertThat(rows.get(s2.address()).html())
                    .as("a red DOWN badge in the sick server's row")
                    .contains("<span class=\"state DOWN\">DOWN</span>");
            assertThat(rows.get(s1.address()).state())
                    .as("the healthy server stays UP")
                    .isEqualTo("UP");
            assertThat(rows.get(s1.address()).html()).contains("<span class=\"state UP\">UP</span>");
        }
    }

    private static Server server(ProxyFixture proxy, TestBackend backend) {
        return proxy.switchyard().snapshot().pools().get("web").servers().stream()
                .filter(s -> s.label().equals(backend.address()))
                .findFirst()
                .orElseThrow();
    }

    /** The script ran to the end of a render: no fetch error, and the "loading…" line replaced. */
    private static void assertRendered(String dom) {
        assertThat(dom)
                .as("the page's script rendered a /status answer; the dumped DOM:\n%s", dom)
                .contains("<div id=\"error\"></div>")
                .containsPattern("<div id=\"updated\">updated [0-9T:.Z-]+</div>");
    }

    /** The server rows of the table of {@code pool}, in page order. */
    private static List<Row> serverRows(String dom, String pool) {
        Matcher table = TABLE.matcher(dom);
        while (table.find()) {
            if (!pool.equals(attributes(table.group(1)).get("data-pool"))) {
                continue;
            }
            List<Row> rows = new ArrayList<>();
            Matcher row = ROW.matcher(table.group(2));
            while (row.find()) {
                Map<String, String> attributes = attributes(row.group(1));
                if ("server".equals(attributes.get("class"))) {
                    rows.add(new Row(attributes.get("data-server"), attributes.get("data-state"), row.group(2)));
                }
            }
            return rows;
        }
        throw new AssertionError("no <table data-pool=\"" + pool + "\"> in the rendered page:\n" + dom);
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> attributes = new HashMap<>();
        Matcher attribute = ATTRIBUTE.matcher(tag);
        while (attribute.find()) {
            attributes.put(attribute.group(1), attribute.group(2));
        }
        return attributes;
    }

    /** Loads the admin endpoint's page in headless Chromium, lets its script run, and returns the DOM. */
    private String renderedPage(ProxyFixture proxy) throws Exception {
        return browser(
                "--dump-dom",
                "http://127.0.0.1:" + proxy.switchyard().adminAddress().getPort() + "/");
    }

    private String browser(String... arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        Path out = Files.createTempFile(dir, "stdout", ".html");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        List<String> command = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + VIRTUAL_TIME_MS));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(BROWSER_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish within %s; its stderr:%n%s", BROWSER_DEADLINE, tail(err));
        }
        assertThat(process.exitValue())
                .as("chromium's exit code; its stderr:%n%s", tail(err))
                .isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                .lines()
                .toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + File.pathSeparator + "/usr/bin";
        return Stream.of(path.split(File.pathSeparator))
                .filter(d -> !d.isBlank())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
