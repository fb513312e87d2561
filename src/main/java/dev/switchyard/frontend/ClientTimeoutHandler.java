package dev.switchyard.frontend;

import dev.switchyard.metrics.ListenerMeters;
import dev.switchyard.upstream.DeadlineTimer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;

/**
 * The client-side clocks: {@code timeouts.client-header} bounds the time from a request's
 * first byte (or from accept, for a connection's first request) to its complete head, which
 * is what defeats slowloris; {@code timeouts.client-body} bounds the silence between two
 * pieces of a request body, but only while the request handler asks for body (reads paused
 * for back-pressure are not the client's fault); {@code timeouts.client-idle} bounds the
 * quiet time between two requests on a kept-alive connection. Sits before the HTTP codec so
 * it sees raw bytes, which it also counts for the listener's received-bytes metric.
 *
 * <p>Event-loop confined. One timer task per connection at a time: moving a deadline only
 * writes a field, and the task re-arms itself when it fires early, so the per-request path
 * schedules nothing (HAProxy's and IdleStateHandler's way). Passes every message on.
 */
final class ClientTimeoutHandler extends ChannelInboundHandlerAdapter implements Runnable {

    /** Fired down the pipeline when the head did not arrive in time and bytes of it did. */
    static final Object HEAD_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "HEAD_TIMEOUT";
        }
    };

    /** Fired down the pipeline when a request body went silent for longer than client-body. */
    static final Object BODY_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "BODY_TIMEOUT";
        }
    };

    private enum Phase {
        IDLE,
        HEAD,
        /** Body bytes are wanted: every byte read moves the deadline. */
        BODY,
        /** No client clock: a request head is served, or reading its body is paused. */
        BUSY,
        /**
         * The request is complete and its answer on the way; the client is read ahead, and a
         * byte arriving now is the next request's, so its head clock starts with it.
         */
        SERVING
    }

    private final long headNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final ListenerMeters meters;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEAD;
    private boolean headBytesSeen;
    private DeadlineTimer timer;

    ClientTimeoutHandler(Duration clientHeader, Duration clientBody, Duration clientIdle, ListenerMeters meters) {
        this.headNanos = clientHeader.toNanos();
        this.bodyNanos = clientBody.toNanos();
        this.idleNanos = clientIdle.toNanos();
        this.meters = meters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new DeadlineTimer(ctx.executor(), this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(Phase.HEAD, headNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            // The listener's received bytes: nothing before this handler changes a buffer.
            meters.received(buf.readableBytes());
            if (phase == Phase.IDLE) {
                arm(Phase.HEAD, headNanos);
            }
            if (phase == Phase.HEAD || phase == Phase.SERVING) {
                headBytesSeen = true;
            } else if (phase == Phase.BODY) {
                timer.start(bodyNanos);
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        timer.cancel();
        super.channelInactive(ctx);
    }

    /** A complete request head arrived: no client clock runs while it is served. */
    void headReceived() {
        phase = Phase.BUSY;
        headBytesSeen = false;
        timer.stop();
    }

    /**
     * The request handler asks the client for body bytes: the client-body clock runs from now,
     * unless it already runs (then only bytes move it, not repeated asking).
     */
    void startBodyClock() {
        if (phase != Phase.BODY) {
            arm(Phase.BODY, bodyNanos);
        }
    }

    /** Body bytes are not wanted now (back-pressure) or no more are due: the clock stops. */
    void stopBodyClock() {
        if (phase == Phase.BODY) {
            phase = Phase.BUSY;
            timer.stop();
        }
    }

    /** The request's last byte arrived; no client clock runs until its answer is sent. */
    void requestReceived() {
        phase = Phase.SERVING;
        headBytesSeen = false;
        timer.stop();
    }

    /**
     * The connection waits for its next request; if part of it was read ahead, its head clock
     * runs from now (the time it spent waiting for its turn is not the client's).
     */
    void awaitNextRequest() {
        if (phase == Phase.SERVING && headBytesSeen) {
            phase = Phase.HEAD;
            timer.start(headNanos);
        } else {
            arm(Phase.IDLE, idleNanos);
        }
    }

    private void arm(Phase next, long nanos) {
        phase = next;
        headBytesSeen = false;
        timer.start(nanos);
    }

    /** The timer's expiry, not for callers: the handler is its own action, no lambda per connection. */
    @Override
    public void run() {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (phase == Phase.BODY) {
            // The handler knows whether a 408 can still be sent or only a close.
            phase = Phase.BUSY;
            ctx.fireUserEventTriggered(BODY_TIMEOUT);
        } else if (phase == Phase.HEAD && headBytesSeen) {
            // Part of a head arrived: the client deserves to know why it is cut off (408).
            ctx.fireUserEventTriggered(HEAD_TIMEOUT);
        } else {
            ctx.close();
        }
    }

    /**
     * Not shared. A constant, because Netty's default looks the annotation up in a per-thread
     * WeakHashMap on every pipeline add, once per handler of every new connection.
     */
    @Override
    public boolean isSharable() {
        return false;
    }
}
