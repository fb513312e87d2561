package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps conf/grafana/switchyard.json honest: every metric and label its PromQL queries must be
 * in what the running proxy serves at {@code GET /metrics}, so renaming a meter or a tag without
 * updating the dashboard fails here, naming it. The dashboard is read with regular expressions:
 * there is no JSON library on the test classpath, and the {@code "expr"} strings are all we need.
 */
class GrafanaDashboardIT {

    /** Maven runs tests from the project root. */
    private static final Path DASHBOARD = Path.of("conf/grafana/switchyard.json");

    /** Labels Prometheus adds to every series when it scrapes, so they are never in /metrics. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
    private static final Pattern PROMQL_STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    /** A name not preceded by a word character, '.', '$' or ':' and not followed by '(' (a function call). */
    private static final Pattern NAME = Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    /** The series name of each sample line of the Prometheus text format; {@code # HELP} and {@code # TYPE} lines do not count. */
    private static final Pattern SAMPLE_NAME = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "atan2",
            "inf",
            "nan",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right");

    /** Metric and label names one PromQL expression refers to. */
    private record Names(Set<String> metrics, Set<String> labels) {
        Names() {
            this(new TreeSet<>(), new TreeSet<>());
        }
    }

    @Test
    void everyMetricAndLabelTheDashboardQueriesIsServedAtMetrics() throws Exception {
        Names used = dashboardNames();
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("admin { bind = \"127.0.0.1:0\" }", backend)) {
            try (RawHttp client = proxy.raw()) {
                for (int i = 0; i < 5; i++) {
                    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(client.read().status()).isEqualTo(200);
                }
            }
            String metrics = adminGet(proxy, "/metrics");

            Set<String> served = new TreeSet<>();
            Matcher sample = SAMPLE_NAME.matcher(metrics);
            while (sample.find()) {
                served.add(sample.group(1));
            }
            List<String> missingMetrics = used.metrics().stream()
                    .filter(name -> !served.contains(name))
                    .toList();
            assertThat(missingMetrics)
                    .as(
                            "metrics %s queries that GET /metrics does not serve (renamed?); " + "it serves %s",
                            DASHBOARD, served)
                    .isEmpty();
            List<String> missingLabels = used.labels().stream()
                    .filter(label -> !TARGET_LABELS.contains(label))
                    .filter(label -> !Pattern.compile("[{,]" + Pattern.quote(label) + "=\"")
                            .matcher(metrics)
                            .find())
                    .toList();
            assertThat(missingLabels)
                    .as("labels %s groups or filters by that no series at GET /metrics has", DASHBOARD)
                    .isEmpty();
        }
    }

    @Test
    void dashboardCoversTrafficErrorsLatencyServersClientsAndMemory() throws IOException {
        Names used = dashboardNames();

        assertThat(used.metrics())
                .as("the metrics the dashboard's panels are about")
                .contains(
                        "switchyard_requests_total",
                        "switchyard_requests_unserved_total",
                        "switchyard_request_duration_seconds_bucket",
                        "switchyard_upstream_duration_seconds_bucket",
                        "switchyard_server_up",
                        "switchyard_server_in_flight",
                        "switchyard_listener_connections_open",
                        "switchyard_retries_total",
                        "switchyard_server_ejections_total",
                        "switchyard_listener_received_bytes_total",
                        "switchyard_listener_sent_bytes_total",
                        "jvm_memory_used_bytes",
                        "switchyard_netty_direct_memory_used_bytes");
        assertThat(Files.readString(DASHBOARD))
                .as("a data source variable and a pool variable from the request counter")
                .contains("\"uid\": \"${DS_PROMETHEUS}\"")
                .contains("label_values(switchyard_requests_total, pool)");
    }

    @Test
    void findsMetricAndLabelNamesInPromQl() {
        Names names = promQlNames("histogram_quantile(0.99, sum by (pool, le) (rate(a_seconds_bucket{pool=~\"$pool\","
                + " tag=\"b_total{x}\"}[$__rate_interval]))) / on (pool) group_left c_total offset 5m"
                + " and max without(server) (d:ratio > bool 1e3)");

        assertThat(names.metrics())
                .as("names not followed by '(', outside strings, selectors and ranges")
                .containsExactlyInAnyOrder("a_seconds_bucket", "c_total", "d:ratio");
        assertThat(names.labels())
                .as("grouping labels and matcher labels")
                .containsExactlyInAnyOrder("pool", "le", "tag", "server");
    }

    /** The names in every {@code "expr"} of the dashboard, and the metric and label of each {@code label_values}. */
    private static Names dashboardNames() throws IOException {
        String json = Files.readString(DASHBOARD);
        Names all = new Names();
        Matcher expr = EXPR.matcher(json);
        int expressions = 0;
        while (expr.find()) {
            expressions++;
            Names names = promQlNames(unescapeJson(expr.group(1)));
            all.metrics().addAll(names.metrics());
            all.labels().addAll(names.labels());
        }
        Matcher variable = LABEL_VALUES.matcher(json);
        while (variable.find()) {
            all.metrics().add(variable.group(1));
            all.labels().add(variable.group(2));
        }
        assertThat(expressions).as("\"expr\" strings found in %s", DASHBOARD).isGreaterThan(10);
        return all;
    }

    private static Names promQlNames(String promQl) {
        Names names = new Names();
        String rest = PROMQL_STRING.matcher(promQl).replaceAll("\"\"");
        Matcher grouping = GROUPING.matcher(rest);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    names.labels().add(label.strip());
                }
            }
        }
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Matcher selector = SELECTOR.matcher(rest);
        while (selector.find()) {
            Matcher label = MATCHER_LABEL.matcher(selector.group(1));
            while (label.find()) {
                names.labels().add(label.group(1));
            }
        }
        rest = RANGE.matcher(SELECTOR.matcher(rest).replaceAll(" ")).replaceAll(" ");
        Matcher name = NAME.matcher(rest);
        while (name.find()) {
            if (!KEYWORDS.contains(name.group(1).toLowerCase(Locale.ROOT))) {
                names.metrics().add(name.group(1));
            }
        }
        return names;
    }

    /** The value of a JSON string literal's body (RFC 8259 §7). */
    private static String unescapeJson(String body) {
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = body.charAt(++i);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(escaped); // \" \\ \/
            }
        }
        return out.toString();
    }

    private static String adminGet(ProxyFixture proxy, String path) throws Exception {
        HttpResponse<String> response = proxy.client()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + proxy.switchyard().adminAddress().getPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s on the admin endpoint", path)
                .isEqualTo(200);
        return response.body();
    }
}
