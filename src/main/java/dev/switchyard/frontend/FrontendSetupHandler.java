package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.ListenerMeters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of one client connection: byte and connection counts, client clocks on raw bytes, the HTTP/1.1
 * request decoder (which enforces the head limits) and response encoder, then the request handler. A connection over a connection
 * limit gets no pipeline at all: it is closed here, before its first read. Immutable; shared
 * by all connections of a listener.
 *
 * <p>Not a {@code ChannelInitializer}: that one guards against running twice with a map
 * shared by all channels, a put and a remove on a concurrent map per connection. Netty calls
 * {@code handlerAdded} once per pipeline entry, after registration, on the channel's event
 * loop, so building the pipeline there and leaving needs no such guard.
 */
@Sharable
final class FrontendSetupHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(FrontendSetupHandler.class);

    private final Supplier<RuntimeSnapshot> snapshots;
    private final ListenerMeters meters;
    private final TrafficCountingHandler traffic;
    private final ConnectionLimiter connections;
    private final AtomicInteger listenerOpen;
    private final RateLimiter rates;

    FrontendSetupHandler(
            Supplier<RuntimeSnapshot> snapshots,
            ListenerMeters meters,
            ClientChannels clients,
            ConnectionLimiter connections,
            AtomicInteger listenerOpen,
            RateLimiter rates) {
        this.meters = meters;
        this.traffic = new TrafficCountingHandler(meters, connections, listenerOpen, clients);
        this.snapshots = snapshots;
        this.connections = connections;
        this.listenerOpen = listenerOpen;
        this.rates = rates;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        try {
            initChannel(ctx.channel());
        } catch (RuntimeException | Error e) {
            // What ChannelInitializer does: a connection without its pipeline cannot be served.
            log.warn("cannot set up client connection {}, closing it", ctx.channel(), e);
            ctx.close();
        } finally {
            if (!ctx.isRemoved()) {
                ctx.pipeline().remove(this);
            }
        }
    }

    /** Limits and timeouts come from the current snapshot, so a reload applies to new connections. */
    private void initChannel(Channel ch) {
        if (!ch.isActive()) {
            // Closed before its turn: its channelInactive is past, so it must not be counted in.
            ch.close();
            return;
        }
        SwitchyardConfig config = snapshots.get().config();
        if (refused(ch, config.limits())) {
            return;
        }
        // First, and alone: whatever fails after this, the close that follows counts it out.
        ch.pipeline().addLast(TrafficCountingHandler.NAME, traffic);
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(
                config.timeouts().clientHeader(),
                config.timeouts().clientBody(),
                config.timeouts().clientIdle(),
                meters);
        RequestDecoder decoder = new RequestDecoder(config.limits());
        // Named: an unnamed handler costs Netty a per-thread WeakHashMap lookup to make up a name.
        ch.pipeline()
                .addLast("timeouts", timeouts)
                .addLast("decoder", decoder)
                .addLast("encoder", new ResponseEncoder(decoder))
                .addLast("requests", new RequestHandler(snapshots, config.limits(), rates, timeouts));
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

    /**
     * Shared, as annotated. A constant, because Netty's default looks the annotation up in a
     * per-thread WeakHashMap on every pipeline add, once per handler of every new connection.
     */
    @Override
    public boolean isSharable() {
        return true;
    }
}
