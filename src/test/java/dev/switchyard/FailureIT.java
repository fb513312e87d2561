package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.RefusingPort;
import dev.switchyard.testkit.TestBackend;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Backend failures get the contract's answers: retry, 502, 504, truncation; never a hang. */
class FailureIT {

    private static String pool(int retries, String extra, String... addresses) {
        StringBuilder servers = new StringBuilder();
        for (String address : addresses) {
            servers.append("{ address = \"").append(address).append("\" }\n");
        }
        return """
                switchyard {
                  threads = 1
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { retries = %d, servers = [ %s ] } }
                  %s
                }""".formatted(retries, servers, extra);
    }

    @Test
    void answers502WhenTheOnlyServerRefusesConnections() throws Exception {
        try (RefusingPort dead = new RefusingPort();
                ProxyFixture proxy = ProxyFixture.start(pool(1, "", dead.address()))) {
            try (RawHttp client = proxy.raw()) {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status()).isEqualTo(502);
                assertThat(response.text()).as("the body says what failed").contains("cannot connect");
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status())
                        .as("a bodiless request keeps its connection after a 502")
                        .isEqualTo(502);
            }
        }
    }

    @Test
    void retriesAConnectFailureOnAnotherServerForAnyMethod() throws Exception {
        try (TestBackend live = TestBackend.start("live");
                RefusingPort dead = new RefusingPort();
                ProxyFixture proxy = ProxyFixture.start(pool(1, "", dead.address(), live.address()))) {
            try (RawHttp client = proxy.raw()) {
                for (int i = 0; i < 6; i++) {
                    String method = i % 2 == 0 ? "GET" : "POST";
                    client.send(method + " /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
                    RawHttp.Response response = client.read();
                    assertThat(response.status())
                            .as("%s %d is served by the live server", method, i)
                            .isEqualTo(200);
                    assertThat(response.text()).startsWith("3 ");
                }
            }
            assertThat(proxy.switchyard()
                            .snapshot()
                            .pools()
                            .get("web")
                            .servers()
                            .get(0)
                            .state())
                    .as("without health checks, live failures alone eject the dead server (nginx's max_fails)")
                    .isEqualTo(dev.switchyard.upstream.HealthState.DOWN);
        }
    }

    @Test
    void retriesAResetOnlyForIdempotentMethods() throws Exception {
        try (TestBackend a = TestBackend.start("a");
                TestBackend b = TestBackend.start("b");
                ProxyFixture proxy = ProxyFixture.start(pool(1, "", a.address(), b.address()))) {
            try (RawHttp client = proxy.raw()) {
                client.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(502);
            }
            assertThat(a.seen().size() + b.seen().size())
                    .as("a GET reset before any answer is tried on both servers")
                    .isEqualTo(2);
            try (RawHttp client = proxy.raw()) {
                client.send("POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
                assertThat(client.read().status()).isEqualTo(502);
            }
            assertThat(a.seen().size() + b.seen().size())
                    .as("a POST that reached a backend is never sent twice")
                    .isEqualTo(3);
        }
    }

    @Test
    void answers504WhenTheBackendIsTooSlowToStart() throws Exception {
        try (TestBackend slow = TestBackend.start("slow");
                ProxyFixture proxy =
                        ProxyFixture.start(pool(1, "timeouts { upstream-response = 300ms }", slow.address()))) {
            long start = System.nanoTime();
            try (RawHttp client = proxy.raw()) {
                client.send("GET /slow?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(504);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("504 comes after the response timeout, long before the backend answers")
                    .isLessThan(4000);
            assertThat(slow.seen()).as("a timed-out request is not retried").hasSize(1);
        }
    }

    /**
     * The response clock lives on the pooled connection and its timer is re-armed lazily: a
     * request on a reused connection still gets the whole upstream-response window, counted
     * from its own send, not from the previous request's.
     */
    @Test
    void aReusedConnectionGivesEachRequestTheWholeResponseWindow() throws Exception {
        try (TestBackend slow = TestBackend.start("slow");
                ProxyFixture proxy =
                        ProxyFixture.start(pool(1, "timeouts { upstream-response = 800ms }", slow.address()))) {
            try (RawHttp client = proxy.raw()) {
                client.send("GET /slow?ms=400 HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
                long start = System.nanoTime();
                client.send("GET /slow?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(504);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                        .as("the second request's own 800 ms, not what the first one left of its window")
                        .isBetween(750L, 4000L);
            }
        }
    }

    @Test
    void closesTheClientWhenTheBackendDiesMidResponse() throws Exception {
        try (TestBackend backend = TestBackend.start("t");
                ProxyFixture proxy = ProxyFixture.start(pool(1, "", backend.address()))) {
            try (RawHttp client = proxy.raw()) {
                client.send("GET /truncate HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body().length)
                        .as("the client sees a short body, not a clean end")
                        .isLessThan(1000);
                assertThat(client.closedByPeer()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not HTTP at all                       | NOT HTTP AT ALL\\r\\n\\r\\n
            Content-Length with Transfer-Encoding | HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            two differing Content-Lengths         | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\nabc
            """)
    void answers502ForAnInvalidOrAmbiguousResponse(String name, String response) throws Exception {
        byte[] bytes = response.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket canned = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket socket = canned.accept()) {
                    socket.getInputStream().read(new byte[4096]);
                    socket.getOutputStream().write(bytes);
                    socket.getOutputStream().flush();
                    socket.getInputStream().read();
                } catch (Exception ignored) {
                    // the proxy closing first is fine
                }
            });
            server.setDaemon(true);
            server.start();
            try (ProxyFixture proxy = ProxyFixture.start(pool(0, "", "127.0.0.1:" + canned.getLocalPort()))) {
                try (RawHttp client = proxy.raw()) {
                    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(client.read().status())
                            .as("%s is never passed on", name)
                            .isEqualTo(502);
                }
            }
        }
    }
}
