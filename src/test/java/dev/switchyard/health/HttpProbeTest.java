package dev.switchyard.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.RefusingPort;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code type = http} probes against a scripted backend on loopback: what is sent, what passes. */
class HttpProbeTest {

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private static final EventLoop LOOP = GROUP.next();

    @AfterAll
    static void stopLoop() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Server server(int port) {
        return new Server(
                "127.0.0.1:" + port,
                new InetSocketAddress("127.0.0.1", port),
                1,
                false,
                List.of(LOOP),
                1,
                HealthState.UP);
    }

    private static ProbeResult check(HttpProbe probe, ScriptedBackend backend) throws Exception {
        return probe.check(server(backend.port()), LOOP).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static HttpProbe probe(String host, List<Integer> expected) {
        return new HttpProbe(Transport.nio(), Duration.ofSeconds(2), "/health", host, expected);
    }

    private static String response(int status) {
        return "HTTP/1.1 " + status + " X\r\nContent-Length: 2\r\n\r\nok";
    }

    @Test
    void sendsAGetForThePathWithTheServerAsHostAndConnectionClose() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering(response(200))) {
            check(probe(null, List.of()), backend);
            assertThat(backend.heads()).hasSize(1);
            List<String> head = backend.heads().get(0);
            assertThat(head.get(0)).isEqualTo("GET /health HTTP/1.1");
            assertThat(head)
                    .as("without a configured host, the server's address is the Host")
                    .contains("host: 127.0.0.1:" + backend.port(), "connection: close");
        }
    }

    @Test
    void sendsTheConfiguredHost() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering(response(200))) {
            check(probe("shop.example", List.of()), backend);
            assertThat(backend.heads().get(0)).contains("host: shop.example");
        }
    }

    @Test
    void passesOn2xxAnd3xxAndFailsOnOthersByDefault() throws Exception {
        for (int status : new int[] {200, 204, 301, 399}) {
            try (ScriptedBackend backend = ScriptedBackend.answering(response(status))) {
                assertThat(check(probe(null, List.of()), backend))
                        .as("status %d", status)
                        .isEqualTo(ProbeResult.pass("status " + status));
            }
        }
        for (int status : new int[] {400, 404, 500, 503}) {
            try (ScriptedBackend backend = ScriptedBackend.answering(response(status))) {
                assertThat(check(probe(null, List.of()), backend))
                        .as("status %d", status)
                        .isEqualTo(ProbeResult.fail("status " + status));
            }
        }
    }

    @Test
    void expectedStatusesReplaceTheDefaultRange() throws Exception {
        HttpProbe probe = probe(null, List.of(200, 404));
        try (ScriptedBackend backend = ScriptedBackend.answering(response(404))) {
            assertThat(check(probe, backend).passed()).as("404 is listed").isTrue();
        }
        try (ScriptedBackend backend = ScriptedBackend.answering(response(302))) {
            assertThat(check(probe, backend).passed())
                    .as("302 is in 2xx-3xx but not listed")
                    .isFalse();
        }
    }

    @Test
    void waitsPastInterimResponsesForTheFinalStatus() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering("HTTP/1.1 100 Continue\r\n\r\n" + response(503))) {
            assertThat(check(probe(null, List.of()), backend)).isEqualTo(ProbeResult.fail("status 503"));
        }
    }

    @Test
    void failsOnAResponseThatIsNotHttp() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering("SSH-2.0-OpenSSH_9.2\r\n\r\n")) {
            assertThat(check(probe(null, List.of()), backend)).isEqualTo(ProbeResult.fail("invalid response"));
        }
    }

    @Test
    void failsWhenTheServerClosesWithoutAnswering() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering("")) {
            assertThat(check(probe(null, List.of()), backend))
                    .isEqualTo(ProbeResult.fail("connection closed before a response"));
        }
    }

    @Test
    void failsWithTheErrorWhenTheServerResetsTheConnection() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering((socket, out) -> {
            socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
        })) {
            ProbeResult result = check(probe(null, List.of()), backend);
            assertThat(result.passed()).isFalse();
            // NIO says "connection reset", epoll "connection reset by peer"; a close may win the race.
            assertThat(result.detail())
                    .as("the reset, or the close that follows it")
                    .matches("connection reset.*|connection closed before a response");
        }
    }

    @Test
    void failsWhenNoAnswerComesWithinTheTimeout() throws Exception {
        HttpProbe probe = new HttpProbe(Transport.nio(), Duration.ofMillis(200), "/health", null, List.of());
        try (ScriptedBackend backend = ScriptedBackend.silent()) {
            assertThat(check(probe, backend)).isEqualTo(ProbeResult.fail("no answer within 200 ms"));
        }
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        try (RefusingPort refusing = new RefusingPort()) {
            ProbeResult result = probe(null, List.of())
                    .check(server(refusing.port()), LOOP)
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(result).isEqualTo(ProbeResult.fail("connection refused"));
        }
    }
}
