package dev.switchyard.frontend;

import dev.switchyard.metrics.ListenerMeters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a listener's connections and the bytes written, first in the pipeline so it sees
 * exactly what the socket writes, and gives the connection's {@link ConnectionLimiter}
 * counts back when it closes ({@code channelInactive} fires once per channel). It also enters
 * the connection in {@link ClientChannels} when it is added and takes it out at that close.
 * Shared by all connections of one listener: stateless itself, the meters count per loop. Passes
 * every message on untouched. Bytes read are counted by {@link ClientTimeoutHandler}, which
 * looks at every buffer read anyway: overriding {@code channelRead} here too would put one more
 * handler on the path of every read.
 */
@Sharable
final class TrafficCountingHandler extends ChannelDuplexHandler {

    static final String NAME = "traffic";

    private final ListenerMeters meters;
    private final ConnectionLimiter connections;
    private final AtomicInteger listenerOpen;
    private final ClientChannels clients;

    TrafficCountingHandler(
            ListenerMeters meters, ConnectionLimiter connections, AtomicInteger listenerOpen, ClientChannels clients) {
        this.meters = meters;
        this.connections = connections;
        this.listenerOpen = listenerOpen;
        this.clients = clients;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        clients.add(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        meters.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        meters.connectionClosed();
        connections.release(ctx.channel(), listenerOpen);
        clients.remove(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf buf) {
            meters.sent(buf.readableBytes());
        }
        super.write(ctx, msg, promise);
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
