package dev.switchyard.frontend;

import static dev.switchyard.testkit.Embedded.outbound;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.proxy.ProxySettings;
import dev.switchyard.route.Router;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An answer after which the connection closes is sent whole: the close waits while the socket
 * cannot take the answer yet, and follows at once when it can. A socket that refuses bytes is
 * hard to get from a real kernel on demand (its send buffer grows), so the channel here takes
 * nothing until told.
 */
class CloseAfterAnswerTest {

    /** "Connection: close" to a path without a route: a 404, then the close. */
    private static final String CLOSING_REQUEST = "GET /nowhere HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";

    /** A header line without a colon: the codec fails the head, a 400, then the close. */
    private static final String MALFORMED_REQUEST = "GET / HTTP/1.1\r\nHost: shop\r\nno colon here\r\n\r\n";

    private final Metrics metrics = new Metrics();

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void closesOnlyOnceAQueuedAnswerIsOnTheSocket() throws Exception {
        for (String request : new String[] {CLOSING_REQUEST, MALFORMED_REQUEST}) {
            StalledChannel channel = new StalledChannel(setup());
            channel.stalled = true;

            channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));

            assertThat(channel.isOpen())
                    .as("the answer is still queued: no close yet")
                    .isTrue();
            assertThat(channel.outboundMessages()).isEmpty();

            channel.stalled = false;
            channel.flush();

            assertThat(channel.isOpen()).as("closed once the answer went out").isFalse();
            assertThat(outbound(channel)).startsWith(request.equals(CLOSING_REQUEST) ? "HTTP/1.1 404" : "HTTP/1.1 400");
        }
    }

    @Test
    void closesAtOnceWhenTheSocketTookTheAnswer() throws Exception {
        for (String request : new String[] {CLOSING_REQUEST, MALFORMED_REQUEST}) {
            StalledChannel channel = new StalledChannel(setup());

            channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));

            assertThat(channel.isOpen()).isFalse();
            assertThat(outbound(channel)).contains("connection: close");
        }
    }

    private FrontendSetupHandler setup() throws Exception {
        SwitchyardConfig config = ConfigLoader.parse("""
                switchyard {
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", host = "elsewhere", pool = web } ]
                  pools { web { servers = [ { address = "127.0.0.1:9" } ] } }
                }
                """, "test.conf");
        ProxySettings settings =
                new ProxySettings(null, Duration.ofSeconds(1), 0, "http", new ProxyMetrics(metrics, List.of()), null);
        RuntimeSnapshot snapshot = new RuntimeSnapshot(config, new Router<>(List.of()), Map.of(), settings);
        ConnectionLimiter limiter = new ConnectionLimiter();
        return new FrontendSetupHandler(
                () -> snapshot,
                metrics.listener("public"),
                new ClientChannels(),
                limiter,
                limiter.listener("public"),
                new RateLimiter(System::nanoTime));
    }

    /** Takes no written byte while {@code stalled}: what it was given stays queued. */
    private static final class StalledChannel extends EmbeddedChannel {
        boolean stalled;

        StalledChannel(ChannelHandler handler) {
            super(handler);
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            if (!stalled) {
                super.doWrite(in);
            }
        }
    }
}
