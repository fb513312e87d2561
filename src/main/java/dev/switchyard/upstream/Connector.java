package dev.switchyard.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.time.Duration;

/**
 * Opens upstream connections on the event loop of the client channel that needs them, so an
 * exchange never crosses threads (architecture.md, "Threads"). Immutable; any thread.
 */
public final class Connector {

    /**
     * A pooled connection is closed after this long unused. It must stay below the backends'
     * own keep-alive timeout, or a reused connection meets a close in flight (reactor-netty
     * #1764); Apache httpd closes after 5 s by default, nginx after 75 s.
     */
    public static final Duration POOLED_IDLE_TIMEOUT = Duration.ofSeconds(4);

    /** Same watermarks on both sides of the proxy, so back-pressure is symmetric. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final Transport transport;
    private final int connectTimeoutMillis;
    private final int maxHeaderSize;

    public Connector(Transport transport, Duration connectTimeout, int maxHeaderSize) {
        this.transport = transport;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.maxHeaderSize = maxHeaderSize;
    }

    /**
     * Starts a connection to {@code server} on {@code loop}. The future's channel carries an
     * {@link UpstreamHandler} ({@link #handlerOf}) that is attached to nothing yet.
     */
    public ChannelFuture connect(Server server, EventLoop loop) {
        LoopConnections home = server.connections(loop);
        return transport
                .upstreamOptions(new Bootstrap())
                .group(loop)
                .channel(transport.channelClass())
                // Reads happen on demand only: the exchange reads the backend while the client
                // can take more (netty-notes §7).
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ResponseDecoder decoder = new ResponseDecoder(maxHeaderSize);
                        // A connection closed while its read burst runs reads no more (NIO's
                        // read loop, unlike epoll's, does not stop at a close by itself).
                        ch.config()
                                .setRecvByteBufAllocator(
                                        new ResponseReads(() -> ch.isActive() ? decoder.fixedBodyLeft() : -1));
                        ch.pipeline()
                                .addLast(
                                        decoder,
                                        new RequestEncoder(decoder),
                                        // Also closes the connection after POOLED_IDLE_TIMEOUT
                                        // in the pool, on its own timer.
                                        new UpstreamHandler(server, home));
                    }
                })
                .connect(server.address());
    }

    public static UpstreamHandler handlerOf(Channel channel) {
        return channel.pipeline().get(UpstreamHandler.class);
    }
}
