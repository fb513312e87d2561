package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A malformed request gets its precise status, is never forwarded, and its connection closes.
 * Obs-fold is refused in any header (RFC 9112 §5.2 lets a server refuse it or join it; nginx
 * refuses, HAProxy joins), as are request lines a parser could split another way.
 */
class MalformedRequestIT {

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("s1");
        proxy = ProxyFixture.inFrontOf("limits { max-header-size = 1k }", backend);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            garbage request line                     | 400 | GARBAGE\\r\\n\\r\\n
            bad version                              | 400 | GET / HTTP/9.x\\r\\nHost: x\\r\\n\\r\\n
            HTTP/1.1 without Host                    | 400 | GET / HTTP/1.1\\r\\n\\r\\n
            two Host headers                         | 400 | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n
            Content-Length with Transfer-Encoding    | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            two differing Content-Lengths            | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd
            Transfer-Encoding not chunked            | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n
            chunked not last                         | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n
            Transfer-Encoding on HTTP/1.0            | 400 | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            space before colon                       | 400 | GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n
            negative Content-Length                  | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n
            obs-fold in Transfer-Encoding            | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip,\\r\\n chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            NUL in a header value                    | 400 | GET / HTTP/1.1\\r\\nHost: x\\r\\nX-A: a\\u0000b\\r\\n\\r\\n
            bare CR in a header value                | 400 | GET / HTTP/1.1\\r\\nHost: x\\r\\nX-A: a\\rb\\r\\n\\r\\n
            bare LF line ending                      | 400 | GET / HTTP/1.1\\nHost: x\\n\\n
            separator in a header name               | 400 | GET / HTTP/1.1\\r\\nHost: x\\r\\nX(A): 1\\r\\n\\r\\n
            invalid method token                     | 400 | G(T / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n
            target without leading slash             | 400 | GET index.html HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n
            two Transfer-Encoding lines              | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            Content-Length list                      | 400 | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1, 1\\r\\n\\r\\na
            obs-fold in an ordinary header           | 400 | GET / HTTP/1.1\\r\\nHost: x\\r\\nX-A: 1\\r\\n folded\\r\\n\\r\\n
            bare CR in the request line              | 400 | GET /\\r HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n
            lower-case version                       | 400 | GET / http/1.1\\r\\nHost: x\\r\\n\\r\\n
            two spaces after the method              | 400 | GET  / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n
            CONNECT                                  | 405 | CONNECT shop.example:443 HTTP/1.1\\r\\nHost: shop.example:443\\r\\n\\r\\n
            """)
    void refusesAndNeverForwards(String name, int status, String request) throws Exception {
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send(request.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000"));
            RawHttp.Response response = client.read();
            assertThat(response.status()).as(name).isEqualTo(status);
            assertThat(response.header("Connection"))
                    .as("the answer says the connection closes")
                    .isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer())
                    .as("%s closes the connection", name)
                    .isTrue();
        }
        assertThat(backend.seen().size()).as("%s never reaches a backend", name).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"header, 431", "uri, 414"})
    void refusesOversizedHeads(String part, int status) throws Exception {
        String big = "a".repeat(part.equals("uri") ? 9000 : 2000);
        String request = part.equals("uri")
                ? "GET /" + big + " HTTP/1.1\r\nHost: x\r\n\r\n"
                : "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n";
        int before = backend.seen().size();
        try (RawHttp client = proxy.raw()) {
            client.send(request);
            assertThat(client.read().status()).isEqualTo(status);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(backend.seen().size()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            chunk size not hex        | zz\\r\\nhello\\r\\n0\\r\\n\\r\\n
            chunk size overflow       | fffffffffffffffff\\r\\nhello\\r\\n0\\r\\n\\r\\n
            chunk data without CRLF   | 5\\r\\nhelloXX0\\r\\n\\r\\n
            """)
    void closesOnABrokenChunkedBody(String name, String body) throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + body.replace("\\r", "\r").replace("\\n", "\n"));
            RawHttp.Response response = client.read();
            assertThat(response.status()).as(name).isEqualTo(400);
            assertThat(client.closedByPeer()).isTrue();
        }
    }
}
