package dev.switchyard.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection's pipeline, and the connection's identity in
 * its {@link LoopConnections}: either idle in the pool or attached to one exchange.
 *
 * <p>Event-loop confined. Forwards every response part to the attached exchange, or
 * releases it and closes the connection when none is attached: bytes from a backend with
 * no request outstanding mean the connection is out of step and must not be reused.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final Server server;
    private final LoopConnections home;
    private Channel channel;
    private ResponseListener listener;
    private Throwable failure;
    /**
     * The connection's one clock: while attached, it runs from the request's end until the
     * response starts; while pooled, it bounds the idle time ({@link Connector#POOLED_IDLE_TIMEOUT}).
     * The two never run at once, and one timer instead of an IdleStateHandler keeps a handler
     * out of the pipeline that every read, write and flush would pass through.
     */
    private DeadlineTimer clock;
    /**
     * A read was asked for and no message has come of it yet. Asking again would only walk
     * the pipeline to find the socket already reading; when a read brings bytes but no whole
     * message, the codec asks for the next one itself.
     */
    private boolean readAsked;

    UpstreamHandler(Server server, LoopConnections home) {
        this.server = server;
        this.home = home;
    }

    public Server server() {
        return server;
    }

    public Channel channel() {
        return channel;
    }

    /** Hands the connection to one exchange; it leaves the pool's deque before this call. */
    public void attach(ResponseListener exchange) {
        assert listener == null : "connection attached twice";
        this.listener = exchange;
        clock.stop();
    }

    /**
     * The exchange is done with this connection. A reusable one goes back to its loop's pool
     * and keeps one read outstanding, so a close by the backend while it waits is noticed at
     * once rather than at the next request; anything else is closed.
     */
    public void release(boolean reusable) {
        listener = null;
        clock.stop();
        if (reusable && isUsable()) {
            home.offer(this);
            read();
            clock.start(Connector.POOLED_IDLE_TIMEOUT.toNanos());
        } else {
            close();
        }
    }

    /**
     * The attached exchange's request is out: its response must start within {@code nanos}, else
     * the exchange hears {@link ResponseListener#onResponseTimeout}. One timer task per
     * connection, which re-arms itself when it fires before the deadline, so a kept-alive
     * connection schedules and cancels nothing per request (as ClientTimeoutHandler's clocks).
     */
    public void startResponseClock(long nanos) {
        clock.start(nanos);
    }

    /** The response started, or the exchange gave up on this connection. */
    public void stopResponseClock() {
        clock.stop();
    }

    private void clockExpired() {
        ResponseListener current = listener;
        if (current == null) {
            // Pooled and unused for POOLED_IDLE_TIMEOUT: close before the backend does.
            close();
        } else if (channel.isActive()) {
            current.onResponseTimeout();
        }
    }

    /** Asks the backend for more, unless a read is already outstanding. */
    public void read() {
        if (!readAsked) {
            readAsked = true;
            channel.read();
        }
    }

    boolean isUsable() {
        return channel != null && channel.isActive() && channel.isOpen();
    }

    public void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        clock = new DeadlineTimer(channel.eventLoop(), this::clockExpired);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        server.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readAsked = false;
        ResponseListener current = listener;
        if (current != null && msg instanceof HttpObject part) {
            current.onResponsePart(part);
            return;
        }
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ResponseListener current = listener;
        if (current != null) {
            current.onResponseReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ResponseListener current = listener;
        if (current != null) {
            current.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.connectionClosed();
        clock.cancel();
        ResponseListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamClosed(failure);
        } else {
            home.remove(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Kept for the exchange: channelInactive follows the close and reports it once.
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }
}
