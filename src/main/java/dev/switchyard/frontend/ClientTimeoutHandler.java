package dev.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client-side clocks: {@code timeouts.client-header} bounds the time from a request's
 * first byte (or from accept, for a connection's first request) to its complete head, which
 * is what defeats slowloris; {@code timeouts.client-idle} bounds the quiet time between two
 * requests on a kept-alive connection. Sits before the HTTP codec so it sees raw bytes.
 *
 * <p>Event-loop confined. One timer task per connection at a time: moving a deadline only
 * writes a field, and the task re-arms itself when it fires early, so the per-request path
 * schedules nothing (HAProxy's and IdleStateHandler's way). Passes every message on.
 */
final class ClientTimeoutHandler extends ChannelInboundHandlerAdapter {

    /** Fired down the pipeline when the head did not arrive in time and bytes of it did. */
    static final Object HEAD_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "HEAD_TIMEOUT";
        }
    };

    private enum Phase {
        IDLE,
        HEAD,
        BUSY
    }

    private final long headNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEAD;
    private boolean headBytesSeen;
    private long deadline;
    private ScheduledFuture<?> timer;
    private long timerFiresAt;

    ClientTimeoutHandler(Duration clientHeader, Duration clientIdle) {
        this.headNanos = clientHeader.toNanos();
        this.idleNanos = clientIdle.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(Phase.HEAD, headNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            if (phase == Phase.IDLE) {
                arm(Phase.HEAD, headNanos);
            }
            if (phase == Phase.HEAD) {
                headBytesSeen = true;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }

    /** A complete request head arrived: no client clock runs while it is served. */
    void headReceived() {
        phase = Phase.BUSY;
        headBytesSeen = false;
    }

    /** The connection waits for its next request. */
    void awaitNextRequest() {
        arm(Phase.IDLE, idleNanos);
    }

    private void arm(Phase next, long nanos) {
        phase = next;
        headBytesSeen = false;
        deadline = System.nanoTime() + nanos;
        // Re-schedule only to fire earlier; a later deadline is picked up when the timer fires.
        if (timer == null || deadline < timerFiresAt) {
            if (timer != null) {
                timer.cancel(false);
            }
            schedule(nanos);
        }
    }

    private void schedule(long delayNanos) {
        timerFiresAt = System.nanoTime() + delayNanos;
        timer = ctx.executor().schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (!ctx.channel().isActive() || phase == Phase.BUSY) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
            return;
        }
        if (phase == Phase.HEAD && headBytesSeen) {
            // Part of a head arrived: the client deserves to know why it is cut off (408).
            ctx.fireUserEventTriggered(HEAD_TIMEOUT);
        } else {
            ctx.close();
        }
    }
}
