package dev.switchyard.testkit;

import dev.switchyard.Switchyard;
import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.InvalidConfigException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The real Switchyard, started in this JVM from a HOCON text on an ephemeral port. The
 * text names the listener {@code public}, bound to 127.0.0.1:0.
 */
public final class ProxyFixture implements AutoCloseable {

    private final Switchyard switchyard;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ProxyFixture(Switchyard switchyard) {
        this.switchyard = switchyard;
    }

    /**
     * Failsafe's second run sets this property to {@code epoll}, so every fixture's proxy runs
     * the same integration tests on that transport too, where the first ran the default, io_uring
     * on hosts that allow it (pom.xml, execution {@code it-epoll}).
     */
    public static final String TRANSPORT_PROPERTY = "switchyard.test.transport";

    public static ProxyFixture start(String hocon)
            throws InvalidConfigException, InterruptedException, java.io.IOException {
        return new ProxyFixture(Switchyard.start(ConfigLoader.parse(withTestTransport(hocon), "test.conf")));
    }

    /** Appended at the end: it overrides the test's own choice, and no error's line number moves. */
    private static String withTestTransport(String hocon) {
        String transport = System.getProperty(TRANSPORT_PROPERTY, "");
        return transport.isEmpty() ? hocon : hocon + "\nswitchyard.transport = " + transport + "\n";
    }

    /** One pool {@code web} of these backends, every path routed to it, and extra settings. */
    public static ProxyFixture inFrontOf(String extra, TestBackend... backends) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (TestBackend backend : backends) {
            servers.append("{ address = \"").append(backend.address()).append("\" }\n");
        }
        return start("""
                switchyard {
                  threads = 2
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ %s ] } }
                  %s
                }
                """.formatted(servers, extra));
    }

    public Switchyard switchyard() {
        return switchyard;
    }

    public InetSocketAddress address() {
        return switchyard.listenerAddress("public");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + address().getPort() + path);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a GET on the proxy's admin endpoint (the config must have an admin block). */
    public String adminGet(String path) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + switchyard.adminAddress().getPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    public HttpClient client() {
        return client;
    }

    public RawHttp raw() throws java.io.IOException {
        return new RawHttp(address());
    }

    @Override
    public void close() {
        switchyard.close();
    }
}
