package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Regressions for what RequestFuzzIT found, each as the smallest exchange that showed it. */
class FuzzFindingsIT {

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

    /**
     * A request with a body that arrived in the same read as the request before it waits in
     * the handler's queue; when it is served from there, no client read follows to flush its
     * body upstream, so the backend never got it whole and the client never got an answer.
     */
    @Test
    void servesAPipelinedRequestWithABody() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            RawHttp.Response second = client.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).startsWith("3 ");
            RawHttp.Response third = client.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.text()).startsWith("2 ");
        }
    }

    /**
     * The codec passes control bytes and bytes above 0x7e in the target; forwarded, a byte
     * above 0x7e was re-encoded as UTF-8 (0x9a became 0xc2 0x9a), so the backend read another
     * target than the one routed. RFC 9112 §3.2 allows visible ASCII only.
     */
    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x1b, 0x7f, 0x9a, 0xff})
    void refusesATargetWithAByteOutsideVisibleAscii(int b) throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            byte[] head = "GET /fuzz?x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            head[8] = (byte) b;
            client.send(head);
            assertThat(client.read().status()).isEqualTo(400);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(backend.seen().size()).as("never forwarded").isEqualTo(before);
    }

    /**
     * bench/smuggling: an absolute-form target whose authority differs from Host was forwarded as
     * sent, so a backend reading Host (not the authority, as RFC 9112 §3.2.2 asks) served another
     * site than the one routed. Now it goes upstream in origin form with the authority as Host.
     */
    @Test
    void forwardsAnAbsoluteFormTargetInOriginFormWithItsAuthorityAsHost() throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send("GET http://b.example:8080/cart?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n"
                    + "GET HTTPS://c.example HTTP/1.1\r\nHost: a.example\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.read().status()).isEqualTo(200);
        }
        TestBackend.Seen first = backend.seen().get(before);
        assertThat(first.uri()).isEqualTo("/cart?x=1");
        assertThat(first.headers().getAll("Host")).containsExactly("b.example:8080");
        TestBackend.Seen second = backend.seen().get(before + 1);
        assertThat(second.uri()).as("an empty path is /").isEqualTo("/");
        assertThat(second.headers().getAll("Host")).containsExactly("c.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://user@b.example/", "http:///x", "ftp://b.example/"})
    void refusesAnAbsoluteFormWithUserinfoNoHostOrAnotherScheme(String target) throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: a.example\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(400);
        }
        assertThat(backend.seen()).hasSize(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/1.2", "HTTP/3.0"})
    void answers505ToAnotherHttpVersion(String version) throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send("GET / " + version + "\r\nHost: a.example\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(505);
        }
        assertThat(backend.seen()).hasSize(before);
    }
}
