package dev.switchyard.frontend;

import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.ListenerMeters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * The pipeline of one client connection: byte and connection counts, client clocks on raw bytes, the HTTP/1.1 codec
 * (which enforces the head limits), then the request handler. Immutable; shared by all
 * connections of a listener.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {

    private final Supplier<RuntimeSnapshot> snapshots;
    private final TrafficCountingHandler traffic;
    private final ChannelGroup clients;

    FrontendInitializer(Supplier<RuntimeSnapshot> snapshots, ListenerMeters meters, ChannelGroup clients) {
        this.traffic = new TrafficCountingHandler(meters);
        this.clients = clients;
        this.snapshots = snapshots;
    }

    /** Limits and timeouts come from the current snapshot, so a reload applies to new connections. */
    @Override
    protected void initChannel(Channel ch) {
        clients.add(ch);
        SwitchyardConfig config = snapshots.get().config();
        ch.pipeline()
                .addLast(
                        traffic,
                        new ClientTimeoutHandler(
                                config.timeouts().clientHeader(),
                                config.timeouts().clientBody(),
                                config.timeouts().clientIdle()),
                        new HttpServerCodec(Codecs.requestDecoderConfig(config.limits())),
                        new RequestHandler(snapshots, config.limits()));
    }
}
