package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request limits of {@code switchyard.limits}: a request over one gets its status, is never
 * forwarded (or, for a body that grows past the limit, stops being forwarded) and its
 * connection closes; a request exactly at a limit passes. Each test also checks what the
 * backend received. Requests with {@code Host: cut} go to a backend of their own, so its open
 * connections tell whether the proxy closed the one it used; one event loop, so a pooled
 * connection would be found again by the next request.
 */
class LimitsIT {

    private static final int MAX_URI = 256;
    private static final int MAX_HEADERS = 10;
    private static final int MAX_BODY = 64 * 1024;
    private static final int PIECE = 8 * 1024;

    private static TestBackend backend;
    private static TestBackend cut;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        cut = TestBackend.start("cut");
        proxy = ProxyFixture.start("""
                switchyard {
                  threads = 1
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [
                    { host = "cut", path-prefix = "/", pool = cut }
                    { path-prefix = "/", pool = web }
                  ]
                  pools {
                    web { servers = [ { address = "%s" } ] }
                    cut { servers = [ { address = "%s" } ] }
                  }
                  limits { max-uri-length = %d, max-header-count = %d, max-body-size = %d }
                }
                """.formatted(backend.address(), cut.address(), MAX_URI, MAX_HEADERS, MAX_BODY));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
        cut.close();
    }

    @Test
    void forwardsATargetExactlyAtMaxUriLength() throws Exception {
        String target = "/" + "a".repeat(MAX_URI - 1);
        try (RawHttp client = proxy.raw()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(last(backend).uri()).isEqualTo(target);
    }

    /** One over is caught on the decoded head, far over by the decoder's line limit: both 414. */
    @ParameterizedTest(name = "target of {0} characters")
    @ValueSource(ints = {MAX_URI + 1, MAX_URI + 100, 20_000})
    void refusesATargetOverMaxUriLength(int length) throws Exception {
        String target = "/" + "a".repeat(length - 1);
        assertRefusedAndClosed("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
    }

    @Test
    void forwardsExactlyMaxHeaderCountFields() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /count HTTP/1.1\r\nHost: x\r\n" + headers(MAX_HEADERS - 1) + "\r\n");
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(last(backend).headers().get("X-H" + (MAX_HEADERS - 2))).isEqualTo("v");
    }

    @Test
    void refusesOneHeaderFieldOverMaxHeaderCount() throws Exception {
        assertRefusedAndClosed("GET /count HTTP/1.1\r\nHost: x\r\n" + headers(MAX_HEADERS) + "\r\n", 431);
    }

    @Test
    void refusesAContentLengthOverMaxBodySizeWithoutReadingTheBody() throws Exception {
        // A first piece of the body comes along, as a client that does not wait would send it.
        assertRefusedAndClosed(
                "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "b".repeat(1000),
                413);
    }

    @Test
    void refusesAContentLengthOverMaxBodySizeBeforeAnyContinue() throws Exception {
        // /continue makes the backend send 100 at once: a 100 first would mean it was forwarded.
        assertRefusedAndClosed(
                "POST /continue HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1)
                        + "\r\nExpect: 100-continue\r\n\r\n",
                413);
    }

    @Test
    void forwardsABodyExactlyAtMaxBodySize() throws Exception {
        byte[] body = new byte[MAX_BODY];
        Arrays.fill(body, (byte) 'b');
        try (RawHttp client = proxy.raw()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + MAX_BODY + "\r\n\r\n");
            client.send(body);
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).startsWith(MAX_BODY + " ");

            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            client.send(chunks(MAX_BODY / PIECE, true));
            response = client.read();
            assertThat(response.status()).as("chunked, exactly at the limit").isEqualTo(200);
            assertThat(response.text()).startsWith(MAX_BODY + " ");
        }
    }

    @Test
    void cutsOffAChunkedBodyThatGrowsPastMaxBodySize() throws Exception {
        long before = cut.bodyBytesReceived();
        int seen = cut.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send("POST /upload HTTP/1.1\r\nHost: cut\r\nTransfer-Encoding: chunked\r\n\r\n");
            // Exactly one piece past the limit, and no end: the proxy has read all that was sent
            // when it answers, so its close is a clean FIN that cannot overtake the answer.
            client.send(chunks(MAX_BODY / PIECE + 1, false));
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(cut.seen().size()).as("the head was forwarded").isEqualTo(seen + 1);
        awaitBackendConnectionsClosed();
        assertThat(cut.bodyBytesReceived() - before)
                .as("the backend never gets more than max-body-size")
                .isLessThanOrEqualTo(MAX_BODY);
        int accepted = cut.connectionsAccepted();
        try (RawHttp client = proxy.raw()) {
            client.send("GET / HTTP/1.1\r\nHost: cut\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
        }
        assertThat(cut.connectionsAccepted())
                .as("the next request gets a new backend connection: the cut one was not pooled")
                .isEqualTo(accepted + 1);
    }

    @Test
    void closesWithoutA413WhenTheResponseStartedBeforeTheBodyGrewPastMaxBodySize() throws Exception {
        long before = cut.bodyBytesReceived();
        try (RawHttp client = proxy.raw()) {
            // /echo answers at once and streams the body back while it arrives.
            client.send("POST /echo HTTP/1.1\r\nHost: cut\r\nTransfer-Encoding: chunked\r\n\r\n");
            client.send(chunks(1, false));
            client.setTimeoutMillis(10_000);
            String head = client.readHead();
            assertThat(head).startsWith("HTTP/1.1 200");
            client.send(chunks(MAX_BODY / PIECE, false));
            byte[] rest = client.readRest();
            assertThat(new String(rest, StandardCharsets.ISO_8859_1))
                    .as("no 413 after a started response, and no final chunk: the client sees truncation")
                    .doesNotContain("413")
                    .doesNotEndWith("0\r\n\r\n");
        }
        awaitBackendConnectionsClosed();
        assertThat(cut.bodyBytesReceived() - before).isLessThanOrEqualTo(MAX_BODY);
    }

    private static void assertRefusedAndClosed(String request, int status) throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send(request);
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(status);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).as("the connection closes").isTrue();
        }
        assertThat(backend.seen().size()).as("never forwarded").isEqualTo(before);
    }

    /** Within 3 s: a close, not the 4 s idle timeout of a pooled connection (Connector). */
    private static void awaitBackendConnectionsClosed() {
        await("the backend connection that saw half a request is closed, not pooled")
                .atMost(Duration.ofSeconds(3))
                .until(() -> cut.openConnections() == 0);
    }

    private static String headers(int count) {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            headers.append("X-H").append(i).append(": v\r\n");
        }
        return headers.toString();
    }

    /** {@code count} chunks of {@link #PIECE} bytes, with the last-chunk if {@code end}. */
    private static byte[] chunks(int count, boolean end) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] piece = new byte[PIECE];
        Arrays.fill(piece, (byte) 'c');
        byte[] size = (Integer.toHexString(PIECE) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < count; i++) {
            out.writeBytes(size);
            out.writeBytes(piece);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (end) {
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private static TestBackend.Seen last(TestBackend server) {
        return server.seen().get(server.seen().size() - 1);
    }
}
