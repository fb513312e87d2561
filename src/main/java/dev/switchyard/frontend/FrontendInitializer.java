package dev.switchyard.frontend;

import dev.switchyard.metrics.ListenerMeters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pipeline of one client connection: byte and connection counts, client clocks on raw bytes, the HTTP/1.1 codec
 * (which enforces the head limits), then the request handler. Immutable; shared by all
 * connections of a listener.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {

    private final Supplier<RuntimeSnapshot> snapshots;
    private final HttpDecoderConfig decoderConfig;
    private final Duration clientHeader;
    private final Duration clientIdle;
    private final TrafficCountingHandler traffic;

    FrontendInitializer(Supplier<RuntimeSnapshot> snapshots, HttpDecoderConfig decoderConfig,
                        Duration clientHeader, Duration clientIdle, ListenerMeters meters) {
        this.traffic = new TrafficCountingHandler(meters);
        this.snapshots = snapshots;
        this.decoderConfig = decoderConfig;
        this.clientHeader = clientHeader;
        this.clientIdle = clientIdle;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(
                traffic,
                new ClientTimeoutHandler(clientHeader, clientIdle),
                new HttpServerCodec(decoderConfig),
                new RequestHandler(snapshots));
    }
}
