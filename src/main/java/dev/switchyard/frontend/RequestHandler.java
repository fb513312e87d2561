package dev.switchyard.frontend;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.accesslog.AccessLogEntry;
import dev.switchyard.config.Limits;
import dev.switchyard.proxy.Downstream;
import dev.switchyard.proxy.ErrorResponses;
import dev.switchyard.proxy.Exchange;
import dev.switchyard.proxy.ForwardedHeaders;
import dev.switchyard.proxy.ProxySettings;
import dev.switchyard.upstream.Pool;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the HTTP codec: rejects what the codec or {@link RequestCheck}
 * refuses, routes each request to a pool (404 if none) and runs one {@link Exchange} at a
 * time, answering pipelined requests in order (netty-notes §11.3).
 *
 * <p>Event-loop confined. Reads are on demand (auto-read is off): the client is read while
 * it has no request in service, while the current exchange can take more body, or, once a
 * request is complete, ahead for the next one. Requests that arrive before their turn wait
 * in {@code pending}, which one read bounds: no read is asked for while it holds anything.
 * Forwards or releases every message it reads; {@code pending} is released on close.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter implements Downstream {

    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    /** Graceful shutdown: close when idle, else after the response in service. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final Supplier<RuntimeSnapshot> snapshots;
    /** The connection's limits: the same snapshot its decoder was sized from. */
    private final Limits limits;

    private final RateLimiter rates;
    private final ClientTimeoutHandler timeouts;
    /** Created at the first pipelined request: most connections never need it. */
    private ArrayDeque<HttpObject> pending;

    private ChannelHandlerContext ctx;
    private Exchange exchange;
    /** A request is in service: its exchange or local answer is not complete. */
    private boolean busy;
    /** The current request's body is still arriving (its LastHttpContent has not). */
    private boolean receiving;
    /** The answer was sent and the connection stays: only the request's end is awaited. */
    private boolean answered;
    /** The current exchange forwarded a response byte: no error answer can follow it. */
    private boolean responseStarted;

    private boolean closing;
    private boolean draining;
    /** The head being answered locally (for the access log), and when it arrived. */
    private HttpRequest currentHead;

    private long headStartNanos;
    /** Body bytes of the current request read so far, against {@code limits.max-body-size}. */
    private long bodyBytes;
    /**
     * A read was asked for and no message has come of it yet: asking again would only walk
     * the pipeline to find the socket already reading. When a read brings bytes but no whole
     * message, the codec asks for the next read itself.
     */
    private boolean readAsked;
    /** The peer's IP, worked out at the first request that needs it: it cannot change. */
    private String clientIp;

    RequestHandler(
            Supplier<RuntimeSnapshot> snapshots, Limits limits, RateLimiter rates, ClientTimeoutHandler timeouts) {
        this.snapshots = snapshots;
        this.limits = limits;
        this.rates = rates;
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        readAsked = true;
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readAsked = false;
        if (closing || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if ((busy && !receiving) || hasPending()) {
            // A pipelined request that came in the same read as the end of the current one.
            if (pending == null) {
                pending = new ArrayDeque<>(2);
            }
            pending.add(object);
            return;
        }
        dispatch(object);
    }

    private void dispatch(HttpObject object) {
        if (object instanceof HttpRequest request) {
            begin(request);
        }
        if (object instanceof HttpContent content) {
            onContent(content);
        }
    }

    private void begin(HttpRequest request) {
        timeouts.headReceived();
        busy = true;
        receiving = true;
        answered = false;
        responseStarted = false;
        bodyBytes = 0;
        headStartNanos = System.nanoTime();
        currentHead = request;
        RequestCheck.Refusal refusal = RequestCheck.refusal(request, limits);
        if (refusal != null) {
            // Also a Content-Length over max-body-size: refused before anything is forwarded
            // (so no 100 Continue either), and the body is never read.
            rejectAndClose(refusal.status(), refusal.reason());
            return;
        }
        RequestCheck.toOriginForm(request);
        RuntimeSnapshot snapshot = snapshots.get();
        long wait = rateLimitWait(snapshot.config().limits());
        if (wait > 0) {
            answerLocally(request, HttpResponseStatus.TOO_MANY_REQUESTS, "rate limit of this address", wait);
            return;
        }
        Pool pool = snapshot.router().route(request.headers().get("host"), request.uri());
        if (pool == null) {
            answerLocally(request, HttpResponseStatus.NOT_FOUND, "no route for this host and path");
            return;
        }
        currentHead = null; // from here the exchange reports this request
        // The exchange may answer at once (503): then it is already complete and forgotten.
        Exchange started = Exchange.start(this, pool, snapshot.proxySettings(), request);
        exchange = started.isDone() ? null : started;
    }

    private void onContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            // A broken chunk: the request cannot be completed or trusted (netty-notes §9).
            content.release();
            cutOff(
                    HttpResponseStatus.BAD_REQUEST,
                    "malformed body: " + content.decoderResult().cause().getMessage());
            return;
        }
        if (limits.maxBodySize() > 0) {
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > limits.maxBodySize()) {
                // Only a chunked body gets here (a Content-Length was checked at the head). The
                // piece that crosses the limit is not forwarded: the backend never gets more.
                content.release();
                cutOff(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than limits.max-body-size");
                return;
            }
        }
        if (last) {
            receiving = false;
            timeouts.requestReceived();
        }
        if (exchange != null) {
            exchange.onRequestContent(content);
        } else {
            content.release();
        }
        if (last && answered) {
            nextRequest();
        }
    }

    /**
     * {@code limits.rate-per-ip}: 0 if the request may pass, else nanoseconds until it could.
     * The key is the TCP peer's address, never X-Forwarded-For, which the client writes itself.
     */
    private long rateLimitWait(Limits limits) {
        if (!limits.rateLimited() || !(ctx.channel().remoteAddress() instanceof InetSocketAddress peer)) {
            return 0;
        }
        return rates.acquire(peer.getAddress(), limits.ratePerIp(), limits.burst());
    }

    /** A 404 or similar decided here; the request was never forwarded. */
    private void answerLocally(HttpRequest request, HttpResponseStatus status, String detail) {
        answerLocally(request, status, detail, 0);
    }

    /**
     * An answer decided here, never forwarded. A {@code waitNanos}
     * above 0 becomes {@code Retry-After} in whole seconds.
     */
    private void answerLocally(HttpRequest request, HttpResponseStatus status, String detail, long waitNanos) {
        boolean bodyAnnounced =
                HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !bodyAnnounced && !draining;
        boolean http10 = !request.protocolVersion().isKeepAliveDefault();
        FullHttpResponse answer = ErrorResponses.of(status, detail, !keepAlive, keepAlive && http10);
        if (waitNanos > 0) {
            answer.headers().set(HttpHeaderNames.RETRY_AFTER, RateLimiter.retryAfterSeconds(waitNanos));
        }
        report(answer);
        forward(answer);
        exchangeComplete(keepAlive);
    }

    /**
     * Ends a request whose body cannot be completed: the exchange is abandoned (its backend
     * saw half a request, so that connection is closed), and the client gets {@code status}
     * if no response byte went out yet, else just the close.
     */
    private void cutOff(HttpResponseStatus status, String detail) {
        if (exchange != null) {
            Exchange current = exchange;
            exchange = null;
            current.abandon(status.code());
        }
        if (responseStarted) {
            abort();
        } else {
            currentHead = null; // the exchange, if there was one, logged this request
            rejectAndClose(status, detail);
        }
    }

    private void rejectAndClose(HttpResponseStatus status, String detail) {
        closing = true;
        releasePending();
        FullHttpResponse answer = ErrorResponses.of(status, detail, true, false);
        report(answer);
        ctx.write(answer, ctx.voidPromise());
        closeAfterWrites();
    }

    /**
     * Flushes and closes once every byte written so far is on the socket. Usually the flush
     * writes all of it at once and the close follows directly; an empty buffer written only
     * to carry the close would cost a second trip through the outbound pipeline and a promise
     * per connection. Only when the socket could not take everything (or a flush is already
     * under way) does a close ride on a last write, so written bytes are never dropped.
     */
    private void closeAfterWrites() {
        ctx.flush();
        ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
        if (unsent == null || unsent.totalPendingWriteBytes() == 0) {
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Metrics and the access log for an answer given here, without a pool. */
    private void report(FullHttpResponse answer) {
        ProxySettings settings = snapshots.get().proxySettings();
        int status = answer.status().code();
        settings.metrics().localResponse(status);
        AccessLog accessLog = settings.accessLog();
        HttpRequest head = currentHead;
        currentHead = null;
        if (accessLog != null) {
            long total = head == null ? 0 : System.nanoTime() - headStartNanos;
            accessLog.log(new AccessLogEntry(
                    System.currentTimeMillis(),
                    clientIp(),
                    head == null ? "-" : head.method().name(),
                    head == null ? "-" : head.uri(),
                    head == null ? "-" : head.protocolVersion().text(),
                    status,
                    answer.content().readableBytes(),
                    null,
                    null,
                    -1,
                    total,
                    0,
                    null));
        }
    }

    // ---- Downstream: called by the exchange ----------------------------------------------

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    @Override
    public String clientIp() {
        if (clientIp == null) {
            clientIp = ForwardedHeaders.ipOf(ctx.channel().remoteAddress());
        }
        return clientIp;
    }

    @Override
    public void forward(HttpObject part) {
        responseStarted = true;
        ctx.write(part, ctx.voidPromise());
    }

    @Override
    public void exchangeComplete(boolean keepAlive) {
        exchange = null;
        if (!keepAlive) {
            closing = true;
            releasePending();
            closeAfterWrites();
            return;
        }
        if (receiving) {
            // The rest of the body is read and dropped, and the connection kept; reading may
            // have paused for back-pressure, so ask for it here.
            answered = true;
            readIfWanted();
            return;
        }
        nextRequest();
    }

    @Override
    public void abort() {
        closing = true;
        exchange = null;
        releasePending();
        ctx.flush();
        ctx.close();
    }

    @Override
    public void requestBodyWanted() {
        readIfWanted();
    }

    @Override
    public boolean closeAfterResponse() {
        return draining;
    }

    /** Serves what the last read left in {@code pending}, then waits for the client. */
    private void nextRequest() {
        busy = false;
        answered = false;
        ctx.flush();
        timeouts.awaitNextRequest();
        while (hasPending() && !closing && !(busy && !receiving)) {
            dispatch(pending.poll());
        }
        if (exchange != null) {
            // What was queued was read long ago: no channelReadComplete follows to flush the
            // body it just wrote upstream, so give the exchange that signal here.
            exchange.onClientReadComplete();
        }
        readIfWanted();
    }

    private void readIfWanted() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        boolean wanted;
        if (!busy) {
            wanted = true;
        } else if (receiving) {
            wanted = exchange == null ? answered : exchange.wantsRequestBody();
            // client-body measures the client's silence only while we ask for body: a pause
            // for back-pressure (or a backend still connecting) is our silence, not the client's.
            if (wanted) {
                timeouts.startBodyClock();
            } else {
                timeouts.stopBodyClock();
            }
        } else {
            // The request is in and its answer on the way: read ahead. Stopping here would
            // cost two epoll_ctl calls per keep-alive request (interest off now, on again
            // after the response); what a read brings meanwhile waits in pending, and
            // reading stops while pending holds anything.
            wanted = true;
        }
        if (wanted && !hasPending() && !readAsked) {
            readAsked = true;
            ctx.read();
        }
    }

    // ---- channel events --------------------------------------------------------------------

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientReadComplete();
        }
        ctx.flush();
        readIfWanted();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (exchange != null) {
            exchange.onClientWritabilityChanged(ctx.channel().isWritable());
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == DRAIN) {
            draining = true;
            if (!busy) {
                // Idle keep-alive connection: nothing to answer, close it now.
                closing = true;
                releasePending();
                ctx.close();
            }
            return;
        }
        if (evt == ClientTimeoutHandler.HEAD_TIMEOUT) {
            rejectAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time");
            return;
        }
        if (evt == ClientTimeoutHandler.BODY_TIMEOUT) {
            if (!closing && busy && receiving) {
                cutOff(HttpResponseStatus.REQUEST_TIMEOUT, "request body not received in time");
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        releasePending();
        if (exchange != null) {
            Exchange current = exchange;
            exchange = null;
            current.onClientClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private boolean hasPending() {
        return pending != null && !pending.isEmpty();
    }

    private void releasePending() {
        if (pending == null) {
            return;
        }
        HttpObject queued;
        while ((queued = pending.poll()) != null) {
            ReferenceCountUtil.release(queued);
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
