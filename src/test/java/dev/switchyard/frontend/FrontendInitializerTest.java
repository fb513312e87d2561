package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The per-connection pipeline is built once, the builder leaves it, and a failed build closes. */
class FrontendInitializerTest {

    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final ConnectionLimiter limiter = new ConnectionLimiter();
    private final AtomicInteger open = limiter.listener("public");

    @Test
    void buildsThePipelineAndLeavesIt() throws Exception {
        SwitchyardConfig config = ConfigLoader.parse("""
                switchyard {
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "127.0.0.1:9" } ] } }
                }
                """, "test.conf");
        RuntimeSnapshot snapshot = new RuntimeSnapshot(config, null, Map.of(), null);
        FrontendInitializer initializer = initializer(() -> snapshot);

        EmbeddedChannel first = new EmbeddedChannel(initializer);
        EmbeddedChannel second = new EmbeddedChannel(initializer);

        for (EmbeddedChannel channel : new EmbeddedChannel[] {first, second}) {
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.pipeline().get(FrontendInitializer.class)).isNull();
            assertThat(channel.pipeline().names())
                    .as("one shared initializer serves every connection")
                    .hasSize(5); // the four handlers and the pipeline's tail
            assertThat(channel.pipeline().get(TrafficCountingHandler.class)).isNotNull();
            assertThat(channel.pipeline().get(ClientTimeoutHandler.class)).isNotNull();
            assertThat(channel.pipeline().get(HttpServerCodec.class)).isNotNull();
            assertThat(channel.pipeline().get(RequestHandler.class)).isNotNull();
        }
        assertThat(open.get()).isEqualTo(2);
        first.close();
        second.close();
        assertThat(open.get()).isZero();
    }

    @Test
    void closesAConnectionWhosePipelineCannotBeBuilt() {
        FrontendInitializer initializer = initializer(() -> {
            throw new IllegalStateException("no snapshot");
        });

        EmbeddedChannel channel = new EmbeddedChannel(initializer);

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.pipeline().get(FrontendInitializer.class)).isNull();
    }

    private FrontendInitializer initializer(Supplier<RuntimeSnapshot> snapshots) {
        return new FrontendInitializer(
                snapshots, new Metrics().listener("public"), clients, limiter, open, new RateLimiter(System::nanoTime));
    }
}
