package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.PatternStream;
import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.TestBackend;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large bodies pass through intact in both directions. The proxy's memory bound is shown by
 * {@code LauncherIT} (a separate JVM at -Xmx64m) and by bench/memory; here, integrity.
 */
class StreamingIT {

    private static final int SIZE = 64 * 1024 * 1024;
    private static TestBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        proxy = ProxyFixture.inFrontOf("", backend);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void uploads64MiBIntact() throws Exception {
        HttpResponse<String> response = proxy.client()
                .send(
                        HttpRequest.newBuilder(proxy.uri("/upload"))
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofInputStream(patternStream()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().trim())
                .as("the backend got every byte, in order")
                .isEqualTo(SIZE + " " + sha256(patternStream().get()));
    }

    @Test
    void downloads64MiBIntactWithContentLengthAndChunked() throws Exception {
        String expected = sha256(patternStream().get());
        for (String path : new String[] {"/download?bytes=" + SIZE, "/download?chunked=1&bytes=" + SIZE}) {
            HttpResponse<InputStream> response = proxy.client()
                    .send(
                            HttpRequest.newBuilder(proxy.uri(path))
                                    .timeout(Duration.ofSeconds(120))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            try (InputStream body = response.body()) {
                assertThat(sha256(body)).as("%s arrives byte for byte", path).isEqualTo(expected);
            }
        }
    }

    /**
     * Around the upstream read buffer's 64 KiB, where a response's last bytes are read in the same
     * burst as the rest ({@code upstream.ResponseReads}), one after another on kept-alive
     * connections, so an extra read that went past a body would corrupt the next response.
     */
    @Test
    void downloadsEndingJustPastOneReadBufferIntact() throws Exception {
        int[] sizes = {65_536 - 300, 65_536, 65_537, 65_536 + 243, 2 * 65_536 + 5, 100, 65_536 + 243};
        for (int round = 0; round < 3; round++) {
            for (int size : sizes) {
                HttpResponse<byte[]> response = proxy.client()
                        .send(
                                HttpRequest.newBuilder(proxy.uri("/download?bytes=" + size))
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).as("%d bytes", size).isEqualTo(TestBackend.downloadBytes(size));
            }
        }
    }

    @Test
    void echoesAStreamedBodyBothWaysAtOnce() throws Exception {
        HttpResponse<InputStream> response = proxy.client()
                .send(
                        HttpRequest.newBuilder(proxy.uri("/echo"))
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofInputStream(patternStream()))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(sha256(body))
                    .as("request and response stream concurrently without deadlock")
                    .isEqualTo(sha256(patternStream().get()));
        }
    }

    private static Supplier<InputStream> patternStream() {
        return () -> new PatternStream(SIZE);
    }

    private static String sha256(InputStream in) throws Exception {
        return PatternStream.sha256(in);
    }
}
