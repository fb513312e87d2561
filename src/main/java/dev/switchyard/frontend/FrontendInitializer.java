package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.ListenerMeters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The pipeline of one client connection: byte and connection counts, client clocks on raw bytes, the HTTP/1.1 codec
 * (which enforces the head limits), then the request handler. A connection over a connection
 * limit gets no pipeline at all: it is closed here, before its first read. Immutable; shared
 * by all connections of a listener.
 */
final class FrontendInitializer extends ChannelInitializer<Channel> {

    private final Supplier<RuntimeSnapshot> snapshots;
    private final ListenerMeters meters;
    private final TrafficCountingHandler traffic;
    private final ChannelGroup clients;
    private final ConnectionLimiter connections;
    private final AtomicInteger listenerOpen;
    private final RateLimiter rates;

    FrontendInitializer(
            Supplier<RuntimeSnapshot> snapshots,
            ListenerMeters meters,
            ChannelGroup clients,
            ConnectionLimiter connections,
            AtomicInteger listenerOpen,
            RateLimiter rates) {
        this.meters = meters;
        this.traffic = new TrafficCountingHandler(meters);
        this.clients = clients;
        this.snapshots = snapshots;
        this.connections = connections;
        this.listenerOpen = listenerOpen;
        this.rates = rates;
    }

    /** Limits and timeouts come from the current snapshot, so a reload applies to new connections. */
    @Override
    protected void initChannel(Channel ch) {
        SwitchyardConfig config = snapshots.get().config();
        if (refused(ch, config.limits())) {
            return;
        }
        clients.add(ch);
        ch.pipeline()
                .addLast(
                        traffic,
                        new ClientTimeoutHandler(
                                config.timeouts().clientHeader(),
                                config.timeouts().clientBody(),
                                config.timeouts().clientIdle()),
                        new HttpServerCodec(Codecs.requestDecoderConfig(config.limits())),
                        new RequestHandler(snapshots, config.limits(), rates));
    }

    /** Auto-read is off and nothing was read yet, so closing here costs the client no bytes. */
    private boolean refused(Channel ch, Limits limits) {
        ConnectionLimiter.Refusal refusal =
                connections.admit(ch, listenerOpen, limits.maxConnections(), limits.maxConnectionsPerIp());
        if (refusal == null) {
            return false;
        }
        if (refusal == ConnectionLimiter.Refusal.LISTENER_LIMIT) {
            meters.refusedAtListenerLimit();
        } else {
            meters.refusedAtIpLimit();
        }
        ch.close();
        return true;
    }
}
