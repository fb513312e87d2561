package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-connection pipeline is built once, the setup handler leaves it, and a failed build closes. */
class FrontendSetupHandlerTest {

    private final ClientChannels clients = new ClientChannels();
    private final ConnectionLimiter limiter = new ConnectionLimiter();
    private final AtomicInteger open = limiter.listener("public");
    private final Metrics metrics = new Metrics();

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void buildsThePipelineAndLeavesIt() throws Exception {
        FrontendSetupHandler setup = setup(FrontendSetupHandlerTest::snapshot);

        EmbeddedChannel first = new EmbeddedChannel(setup);
        EmbeddedChannel second = new EmbeddedChannel(setup);

        for (EmbeddedChannel channel : new EmbeddedChannel[] {first, second}) {
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.pipeline().get(FrontendSetupHandler.class)).isNull();
            assertThat(channel.pipeline().names())
                    .as("one shared setup handler serves every connection")
                    .hasSize(6); // the five handlers and the pipeline's tail
            assertThat(channel.pipeline().get(TrafficCountingHandler.class)).isNotNull();
            assertThat(channel.pipeline().get(ClientTimeoutHandler.class)).isNotNull();
            assertThat(channel.pipeline().get(RequestDecoder.class)).isNotNull();
            assertThat(channel.pipeline().get(ResponseEncoder.class)).isNotNull();
            assertThat(channel.pipeline().get(RequestHandler.class)).isNotNull();
            assertThat(channel.pipeline().names())
                    .startsWith(TrafficCountingHandler.NAME, "timeouts", "decoder", "encoder", "requests");
        }
        assertThat(open.get()).isEqualTo(2);
        assertThat(clients.size()).isEqualTo(2);
        first.close();
        second.close();
        assertThat(open.get()).isZero();
        assertThat(clients.size()).isZero();
    }

    @Test
    void everyHandlerSaysWhetherItIsSharedAsItsAnnotationDoes() {
        EmbeddedChannel channel = new EmbeddedChannel(setup(FrontendSetupHandlerTest::snapshot));
        List<ChannelHandler> handlers =
                new ArrayList<>(channel.pipeline().toMap().values());
        handlers.add(setup(FrontendSetupHandlerTest::snapshot));

        for (ChannelHandler handler : handlers) {
            ChannelHandlerAdapter adapter = (ChannelHandlerAdapter) handler;
            // Each answers with a constant of its own, and it must match the annotation Netty reads.
            assertThat(adapter.isSharable())
                    .as("%s.isSharable()", handler.getClass().getSimpleName())
                    .isEqualTo(handler.getClass().isAnnotationPresent(Sharable.class));
        }
        channel.close();
    }

    @Test
    void countsTheRawBytesReceived() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(setup(FrontendSetupHandlerTest::snapshot));

        // Half a head: the codec keeps it, nothing is answered, only the count moves.
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTT", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("P/1.1\r\nHos", StandardCharsets.US_ASCII));

        assertThat(metrics.scrape()).contains("switchyard_listener_received_bytes_total{listener=\"public\"} 19.0");
        channel.close();
    }

    @Test
    void closesAConnectionWhosePipelineCannotBeBuilt() {
        FrontendSetupHandler setup = setup(() -> {
            throw new IllegalStateException("no snapshot");
        });

        EmbeddedChannel channel = new EmbeddedChannel(setup);

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.pipeline().get(FrontendSetupHandler.class)).isNull();
    }

    private static RuntimeSnapshot snapshot() {
        try {
            SwitchyardConfig config = ConfigLoader.parse("""
                    switchyard {
                      listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                      routes = [ { path-prefix = "/", pool = web } ]
                      pools { web { servers = [ { address = "127.0.0.1:9" } ] } }
                    }
                    """, "test.conf");
            return new RuntimeSnapshot(config, null, Map.of(), null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private FrontendSetupHandler setup(Supplier<RuntimeSnapshot> snapshots) {
        return new FrontendSetupHandler(
                snapshots, metrics.listener("public"), clients, limiter, open, new RateLimiter(System::nanoTime));
    }
}
