package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The happy path through the real proxy: balancing, keep-alive, framing, pipelining, 1.0. */
class ForwardingIT {

    private TestBackend s1;
    private TestBackend s2;
    private TestBackend s3;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        s1 = TestBackend.start("s1");
        s2 = TestBackend.start("s2");
        s3 = TestBackend.start("s3");
        proxy = ProxyFixture.inFrontOf("", s1, s2, s3);
    }

    @AfterEach
    void stop() {
        proxy.close();
        s1.close();
        s2.close();
        s3.close();
    }

    @Test
    void roundRobinSendsEachRequestToTheNextServer() throws Exception {
        List<String> names = new ArrayList<>();
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 9; i++) {
                client.send("GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                names.add(response.header("X-Backend"));
            }
        }
        for (int i = 0; i + 3 <= names.size(); i += 3) {
            assertThat(new HashSet<>(names.subList(i, i + 3)))
                    .as("every window of three answers comes from three different servers: %s", names)
                    .containsExactlyInAnyOrder("s1", "s2", "s3");
        }
        assertThat(names.subList(3, 9))
                .as("the rotation repeats in the same order")
                .isEqualTo(List.of(names.get(0), names.get(1), names.get(2), names.get(0), names.get(1), names.get(2)));
    }

    @Test
    void keepsUpstreamConnectionsAliveAcrossRequests() throws Exception {
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 30; i++) {
                client.send("GET /n" + i + " HTTP/1.1\r\nHost: shop.example\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
            }
        }
        int accepted = s1.connectionsAccepted() + s2.connectionsAccepted() + s3.connectionsAccepted();
        assertThat(accepted)
                .as("30 requests on one client connection reuse one connection per server")
                .isLessThanOrEqualTo(3);
    }

    @Test
    void addsForwardedHeadersAndStripsHopByHopOnesButKeepsHost() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /h HTTP/1.1\r\nHost: Shop.Example:8080\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Forwarded-Proto: https\r\n"
                    + "Connection: keep-alive, X-Private\r\n"
                    + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Upgrade: websocket\r\nX-End-To-End: kept\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
        }
        TestBackend.Seen seen = allSeen().get(0);
        assertThat(seen.headers().get("Host"))
                .as("Host is forwarded as the client sent it")
                .isEqualTo("Shop.Example:8080");
        assertThat(seen.headers().get("X-Forwarded-For"))
                .as("XFF appends the client address")
                .isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(seen.headers().get("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.headers().get("X-Forwarded-Host")).isEqualTo("Shop.Example:8080");
        assertThat(seen.headers().get("X-End-To-End")).isEqualTo("kept");
        for (String hop : List.of(
                "Connection",
                "X-Private",
                "Keep-Alive",
                "TE",
                "Proxy-Connection",
                "Proxy-Authorization",
                "Upgrade",
                "Transfer-Encoding")) {
            assertThat(seen.headers().contains(hop))
                    .as("hop-by-hop header %s is not forwarded", hop)
                    .isFalse();
        }
    }

    @Test
    void stripsHopByHopHeadersFromResponses() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /hop HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            for (String hop : List.of("Connection", "X-Internal-Route", "Keep-Alive", "Upgrade", "Trailer")) {
                assertThat(response.header(hop))
                        .as("hop-by-hop %s stays between backend and proxy", hop)
                        .isNull();
            }
            assertThat(response.header("Proxy-Authenticate"))
                    .as("a challenge meant for the client passes")
                    .isEqualTo("Basic realm=\"shop\"");
            assertThat(response.text()).isEqualTo("hop\n");
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /status?code=201 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /download?bytes=5000 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /status?code=202 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read().status())
                    .as("the slow first answer still comes first")
                    .isEqualTo(200);
            assertThat(client.read().status()).isEqualTo(201);
            RawHttp.Response head = client.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length"))
                    .as("HEAD keeps the length of the GET")
                    .isEqualTo("5000");
            assertThat(client.read().status())
                    .as("no body after HEAD, so the next answer parses")
                    .isEqualTo(202);
        }
    }

    @Test
    void bodilessAnswersKeepTheConnectionUsable() throws Exception {
        try (RawHttp client = proxy.raw()) {
            for (String path : List.of("/status?code=204", "/status?code=304", "/status?code=200")) {
                client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status()).isEqualTo(Integer.parseInt(path.substring(path.length() - 3)));
            }
        }
    }

    @Test
    void servesHttp10ClientsAndClosesUnlessAskedToKeepAlive() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /a HTTP/1.0\r\n\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(client.closedByPeer())
                    .as("HTTP/1.0 without keep-alive closes")
                    .isTrue();
        }
        try (RawHttp client = proxy.raw()) {
            client.send("GET /download?bytes=3000&chunked=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.header("Transfer-Encoding"))
                    .as("never chunked to HTTP/1.0")
                    .isNull();
            assertThat(response.body()).isEqualTo(TestBackend.downloadBytes(3000));
        }
        try (RawHttp client = proxy.raw()) {
            client.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response first = client.read();
            assertThat(first.header("Connection")).isEqualToIgnoringCase("keep-alive");
            client.send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(client.read().status())
                    .as("a kept-alive 1.0 connection serves a second request")
                    .isEqualTo(200);
        }
    }

    @Test
    void rechunksAnUnframedResponseForHttp11Clients() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.text()).startsWith("unframed body from s");
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(client.read().status())
                    .as("the client connection survives")
                    .isEqualTo(200);
        }
    }

    @Test
    void relaysExpectContinueFromTheBackend() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("POST /continue HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = client.read();
            assertThat(interim.status())
                    .as("the backend's 100 reaches the client before the body")
                    .isEqualTo(100);
            client.send("hello");
            assertThat(client.read().status()).isEqualTo(200);
        }
    }

    @Test
    void streamsChunkedRequestBodies() throws Exception {
        try (RawHttp client = proxy.raw()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            RawHttp.Response response = client.read();
            assertThat(response.text())
                    .as("length and sha256 of the body the backend got")
                    .isEqualTo("11 b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9\n");
        }
    }

    @Test
    void answers404WhenNoRouteMatches() throws Exception {
        try (ProxyFixture hostOnly = ProxyFixture.start("""
                switchyard {
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { host = "shop.example", path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "%s" } ] } }
                }""".formatted(s1.address()))) {
            HttpResponse<String> response = hostOnly.client()
                    .send(HttpRequest.newBuilder(hostOnly.uri("/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).contains("no route");
            try (RawHttp client = hostOnly.raw()) {
                client.send("GET /x HTTP/1.1\r\nHost: SHOP.example:9999\r\n\r\n");
                assertThat(client.read().header("X-Backend"))
                        .as("host match ignores case and port")
                        .isEqualTo("s1");
            }
        }
        assertThat(s1.seen()).hasSize(1);
    }

    private List<TestBackend.Seen> allSeen() {
        List<TestBackend.Seen> all = new ArrayList<>(s1.seen());
        all.addAll(s2.seen());
        all.addAll(s3.seen());
        return all;
    }
}
