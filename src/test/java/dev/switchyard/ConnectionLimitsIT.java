package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * limits.max-connections and limits.max-connections-per-ip on real sockets: the connection
 * over a limit is closed at accept and counted, the others keep working, a close frees a slot,
 * and a reload changes the limit without forgetting the connections already open.
 */
class ConnectionLimitsIT {

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    Path dir;

    private TestBackend backend;
    private final List<RawHttp> clients = new ArrayList<>();

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start("s1");
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttp client : clients) {
            client.close();
        }
        backend.close();
    }

    private String config(String limits) {
        return """
                switchyard {
                  threads = 2
                  listeners = [
                    { name = public, bind = "127.0.0.1:0" }
                    { name = second, bind = "127.0.0.1:0" }
                  ]
                  admin { bind = "127.0.0.1:0" }
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "%s" } ] } }
                  limits { %s }
                }""".formatted(backend.address(), limits);
    }

    @Test
    void closesTheConnectionOverTheListenerLimitAndCountsIt() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(config("max-connections = 3"))) {
            InetSocketAddress address = proxy.address();
            for (int i = 0; i < 3; i++) {
                assertThat(served(open(address, null)))
                        .as("connection %d is within the limit", i)
                        .isTrue();
            }
            RawHttp fourth = open(address, null);
            fourth.setTimeoutMillis(5000);
            assertThat(fourth.closedByPeer())
                    .as("the fourth is closed at accept")
                    .isTrue();
            assertThat(refused(proxy, "public", "listener-limit")).isEqualTo(1);
            assertThat(refused(proxy, "public", "ip-limit")).isZero();

            for (int i = 0; i < 3; i++) {
                assertThat(served(clients.get(i)))
                        .as("connection %d still works", i)
                        .isTrue();
            }
            assertThat(served(open(proxy.switchyard().listenerAddress("second"), null)))
                    .as("the limit is per listener")
                    .isTrue();

            clients.get(0).close();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> served(open(address, null)));
        }
    }

    @Test
    void closesTheConnectionOverTheLimitPerIpAcrossListeners() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.start(config("max-connections-per-ip = 2"))) {
            InetSocketAddress first = proxy.address();
            InetSocketAddress second = proxy.switchyard().listenerAddress("second");
            assertThat(served(open(first, null))).isTrue();
            assertThat(served(open(second, null))).isTrue();
            RawHttp third = open(second, null);
            third.setTimeoutMillis(5000);
            assertThat(third.closedByPeer())
                    .as("a third from 127.0.0.1, on either listener, is closed")
                    .isTrue();
            assertThat(refused(proxy, "second", "ip-limit")).isEqualTo(1);
            assertThat(served(clients.get(0)))
                    .as("the two within the limit keep working")
                    .isTrue();
            assertThat(served(clients.get(1))).isTrue();

            InetAddress other = InetAddress.getByName("127.0.0.2");
            assumeTrue(RawHttp.canBindLocally(other), "127.0.0.2 is not usable on this host's loopback");
            assertThat(served(open(first, other)))
                    .as("another address has a count of its own")
                    .isTrue();

            clients.get(0).close();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> served(open(first, null)));
        }
    }

    @Test
    void aReloadChangesTheLimitAndKeepsTheCount() throws Exception {
        Path file = dir.resolve("switchyard.conf");
        Files.writeString(file, config("max-connections = 1"));
        try (Switchyard switchyard = Switchyard.start(ConfigLoader.load(file), file)) {
            InetSocketAddress address = switchyard.listenerAddress("public");
            assertThat(served(open(address, null))).isTrue();
            RawHttp over = open(address, null);
            over.setTimeoutMillis(5000);
            assertThat(over.closedByPeer()).as("over the limit of 1").isTrue();

            Files.writeString(file, config("max-connections = 2"));
            switchyard.reload();
            assertThat(served(open(address, null)))
                    .as("the new limit of 2 applies")
                    .isTrue();
            RawHttp third = open(address, null);
            third.setTimeoutMillis(5000);
            assertThat(third.closedByPeer())
                    .as("the connection from before the reload still counts")
                    .isTrue();
        }
    }

    private RawHttp open(InetSocketAddress address, InetAddress local) throws IOException {
        RawHttp client = new RawHttp(address, local);
        clients.add(client);
        return client;
    }

    /** One GET on this connection answered 200; false if the proxy closed it instead. */
    private static boolean served(RawHttp client) {
        try {
            client.send(GET);
            return client.read().status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static long refused(ProxyFixture proxy, String listener, String reason) throws Exception {
        String metrics = proxy.adminGet("/metrics");
        Matcher matcher = Pattern.compile("switchyard_connections_refused_total\\{listener=\"" + listener
                        + "\",reason=\"" + reason + "\"} ([0-9.]+)")
                .matcher(metrics);
        assertThat(matcher.find())
                .as("the refused counter is exposed for %s/%s", listener, reason)
                .isTrue();
        return (long) Double.parseDouble(matcher.group(1));
    }
}
