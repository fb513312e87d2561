package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.PatternStream;
import dev.switchyard.testkit.TestBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an operator runs it: --check, the demo, and a small heap. */
class LauncherIT {

    private static final Path JAR = Path.of("target", "switchyard.jar");
    private static final Pattern BOUND = Pattern.compile("listener public bound to 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void checkAcceptsTheSampleConfigAndRefusesABrokenOneWithFileAndLine() throws Exception {
        Run ok = run(List.of("--config", "conf/switchyard.conf", "--check"));
        assertThat(ok.exit).as(ok.output).isZero();
        assertThat(ok.output).contains("configuration ok");

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, """
                switchyard {
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools {
                    web {
                      helth-check { path = "/health" }
                      servers = [ { address = "127.0.0.1" } ]
                    }
                  }
                }
                """);
        Run refused = run(List.of("--config", broken.toString(), "--check"));
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.output)
                .as("names the file, the line and the typo")
                .contains("broken.conf:5")
                .contains("helth-check")
                .contains("broken.conf:6")
                .contains("port");
    }

    @Test
    void streams64MiBBothWaysThroughAProxyWithA64MiBHeap() throws Exception {
        try (TestBackend backend = TestBackend.start("s1")) {
            Path conf = dir.resolve("small.conf");
            Files.writeString(conf, """
                    switchyard {
                      listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                      routes = [ { path-prefix = "/", pool = web } ]
                      pools { web { servers = [ { address = "%s" } ] } }
                    }""".formatted(backend.address()));
            Process process = new ProcessBuilder(
                            java(),
                            "-Xmx64m",
                            "-XX:MaxDirectMemorySize=64m",
                            "-jar",
                            JAR.toString(),
                            "--config",
                            conf.toString())
                    .redirectErrorStream(true)
                    .start();
            try {
                List<String> log = drain(process.getInputStream());
                int port = await().atMost(Duration.ofSeconds(30)).until(() -> boundPort(log), p -> p > 0);
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                int size = 64 * 1024 * 1024;
                HttpResponse<InputStream> download = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download?bytes=" + size))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(sha256(download.body()))
                        .as("64 MiB download through a 64 MiB heap")
                        .isEqualTo(sha256(new PatternStream(size)));
                HttpResponse<String> upload = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(upload.body().trim())
                        .as("64 MiB upload through a 64 MiB heap")
                        .isEqualTo(size + " " + sha256(new PatternStream(size)));
                assertThat(process.isAlive()).as("no OutOfMemoryError: %s", log).isTrue();
            } finally {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void sigtermAnswersEveryRequestInFlightThenExitsZero() throws Exception {
        try (TestBackend backend = TestBackend.start("s1")) {
            Path conf = dir.resolve("graceful.conf");
            Files.writeString(conf, """
                    switchyard {
                      listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                      routes = [ { path-prefix = "/", pool = web } ]
                      pools { web { servers = [ { address = "%s" } ] } }
                      timeouts { shutdown-grace = 20s }
                    }""".formatted(backend.address()));
            Process process = new ProcessBuilder(
                            java(), "-Xmx128m", "-jar", JAR.toString(), "--config", conf.toString())
                    .redirectErrorStream(true)
                    .start();
            try {
                List<String> log = drain(process.getInputStream());
                int port = await().atMost(Duration.ofSeconds(30)).until(() -> boundPort(log), p -> p > 0);
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    inFlight.add(client.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=1500"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> backend.seen().size() == 10);
                process.destroy(); // SIGTERM
                for (var response : inFlight) {
                    assertThat(response.get(20, TimeUnit.SECONDS).statusCode())
                            .as("a request accepted before SIGTERM is answered")
                            .isEqualTo(200);
                }
                assertThat(process.waitFor(30, TimeUnit.SECONDS))
                        .as("exits within the grace period")
                        .isTrue();
                assertThat(process.exitValue()).as("graceful exit: %s", log).isZero();
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void demoAnswersFromThreeShopsInTurn() throws Exception {
        // Run from an empty directory: the demo must work with the config packed in the jar.
        Process process = new ProcessBuilder(
                        java(), "-jar", JAR.toAbsolutePath().toString(), "demo")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            List<String> log = drain(process.getInputStream());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> String.join("\n", log).contains("curl"));
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Set<String> shops = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                String body = client.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                shops.add(body.substring("Hello from ".length(), body.indexOf(':')));
            }
            assertThat(shops).as("three requests, three shops").containsExactlyInAnyOrder("shop-1", "shop-2", "shop-3");
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Run(int exit, String output) {}

    private Run run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> drain(InputStream in) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static int boundPort(List<String> log) {
        for (String line : log) {
            Matcher m = BOUND.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    private static String sha256(InputStream in) throws Exception {
        return PatternStream.sha256(in);
    }
}
