package dev.switchyard.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
    /** The attached exchange waits for its response to start, until {@code responseDeadline}. */
    private boolean responseClockRunning;

    private long responseDeadline;
    private ScheduledFuture<?> responseTimer;
    private long responseTimerFiresAt;

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
    }

    /**
     * The exchange is done with this connection. A reusable one goes back to its loop's pool
     * and keeps one read outstanding, so a close by the backend while it waits is noticed at
     * once rather than at the next request; anything else is closed.
     */
    public void release(boolean reusable) {
        listener = null;
        responseClockRunning = false;
        if (reusable && isUsable()) {
            home.offer(this);
            channel.read();
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
        long now = System.nanoTime();
        responseClockRunning = true;
        responseDeadline = now + nanos;
        // Re-schedule only to fire earlier; a later deadline is picked up when the timer fires.
        if (responseTimer == null || responseDeadline - responseTimerFiresAt < 0) {
            if (responseTimer != null) {
                responseTimer.cancel(false);
            }
            scheduleResponseTimer(now, nanos);
        }
    }

    /** The response started, or the exchange gave up on this connection. */
    public void stopResponseClock() {
        responseClockRunning = false;
    }

    private void scheduleResponseTimer(long now, long delayNanos) {
        responseTimerFiresAt = now + delayNanos;
        responseTimer = channel.eventLoop().schedule(this::responseTimerFired, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void responseTimerFired() {
        responseTimer = null;
        ResponseListener current = listener;
        if (!responseClockRunning || current == null || !channel.isActive()) {
            return;
        }
        long now = System.nanoTime();
        long left = responseDeadline - now;
        if (left > 0) {
            scheduleResponseTimer(now, left);
            return;
        }
        responseClockRunning = false;
        current.onResponseTimeout();
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
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        server.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
        responseClockRunning = false;
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        ResponseListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamClosed(failure);
        } else {
            home.remove(this);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        // The idle timer runs for the connection's whole life; it only matters while pooled.
        // An attached exchange has its own response timeout.
        if (evt instanceof IdleStateEvent) {
            if (listener == null) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
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
