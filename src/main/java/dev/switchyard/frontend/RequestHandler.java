package dev.switchyard.frontend;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.accesslog.AccessLogEntry;
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
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
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
 * it has no request in service, or while the current exchange can take more body. Requests
 * that arrive early in the same read wait in {@code pending}, which one read bounds.
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
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private ClientTimeoutHandler timeouts;
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

    RequestHandler(Supplier<RuntimeSnapshot> snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timeouts = ctx.pipeline().get(ClientTimeoutHandler.class);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if ((busy && !receiving) || !pending.isEmpty()) {
            // A pipelined request that came in the same read as the end of the current one.
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
        headStartNanos = System.nanoTime();
        currentHead = request;
        HttpResponseStatus refusal = RequestCheck.refusal(request);
        if (refusal != null) {
            rejectAndClose(refusal, RequestCheck.reason(request));
            return;
        }
        RuntimeSnapshot snapshot = snapshots.get();
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
            Throwable cause = content.decoderResult().cause();
            if (exchange != null) {
                Exchange current = exchange;
                exchange = null;
                current.onClientClosed();
            }
            if (responseStarted) {
                abort();
            } else {
                currentHead = null; // the exchange already logged this request
                rejectAndClose(HttpResponseStatus.BAD_REQUEST, "malformed body: " + cause.getMessage());
            }
            return;
        }
        if (last) {
            receiving = false;
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

    /** A 404 or similar decided here; the request was never forwarded. */
    private void answerLocally(HttpRequest request, HttpResponseStatus status, String detail) {
        boolean bodyAnnounced =
                HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !bodyAnnounced && !draining;
        boolean http10 = !request.protocolVersion().isKeepAliveDefault();
        FullHttpResponse answer = ErrorResponses.of(status, detail, !keepAlive, keepAlive && http10);
        report(answer);
        forward(answer);
        exchangeComplete(keepAlive);
    }

    private void rejectAndClose(HttpResponseStatus status, String detail) {
        closing = true;
        releasePending();
        FullHttpResponse answer = ErrorResponses.of(status, detail, true, false);
        report(answer);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
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
                    ForwardedHeaders.ipOf(ctx.channel().remoteAddress()),
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
    public void forward(HttpObject part) {
        responseStarted = true;
        ctx.write(part, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void exchangeComplete(boolean keepAlive) {
        exchange = null;
        if (!keepAlive) {
            closing = true;
            releasePending();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (receiving) {
            answered = true;
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
        while (!pending.isEmpty() && !closing && !(busy && !receiving)) {
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
        boolean wanted = !busy || (receiving && (exchange == null ? answered : exchange.wantsRequestBody()));
        if (wanted && pending.isEmpty()) {
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

    private void releasePending() {
        HttpObject queued;
        while ((queued = pending.poll()) != null) {
            ReferenceCountUtil.release(queued);
        }
    }
}
