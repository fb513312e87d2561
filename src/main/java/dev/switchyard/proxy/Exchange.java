package dev.switchyard.proxy;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.accesslog.AccessLogEntry;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.FailureReason;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.ResponseListener;
import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.UpstreamHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * One client request and its response: picks a server, sends the request on a pooled or new
 * connection, streams the response back, and retries or answers 502/503/504 per config.md.
 *
 * <p>Event-loop confined: created on the client channel's loop, and its upstream connection
 * lives on the same loop, so no field needs a lock or volatile. Buffer ownership: every
 * request chunk handed to {@link #onRequestContent} and every response part it receives is
 * forwarded or released, on every path, including after the exchange ended.
 */
public final class Exchange implements ResponseListener {

    private enum State {
        CONNECTING,
        SENDING,
        RESPONDING,
        DONE
    }

    private final Downstream client;
    private final Pool pool;
    private final ProxySettings settings;
    private final HttpRequest request;
    private final RequestPlan plan;
    private final EventLoop loop;
    private final ReplayBuffer body;

    private State state = State.CONNECTING;
    private Server server;
    private UpstreamHandler upstream;
    private Set<Server> tried;
    private int retriesDone;
    private boolean attemptEnded = true;
    private boolean requestComplete;
    /** The request's LastHttpContent went to the current connection: its encoder is between messages. */
    private boolean requestWritten;

    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean closeClientAfter;
    /** The current attempt runs on a connection taken from the keep-alive pool. */
    private boolean onReusedConnection;

    private boolean staleRetryUsed;
    /**
     * A bodiless request's head, not yet written: its end follows in the same client read, and
     * the two go upstream as one message (one encoder pass, one outbound entry).
     */
    private boolean requestHeadHeld;
    /** The response head, not yet forwarded: if its end came in the same read, both go as one. */
    private HttpResponse responseHeadHeld;

    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private long attemptStartNanos;
    private int responseStatus;
    private long bytesSent;
    /** What went wrong with the last attempt; worded only if it ends in a 502. */
    private Failure lastFailure;

    private Throwable lastFailureCause;

    private Exchange(Downstream client, Pool pool, ProxySettings settings, HttpRequest request, RequestPlan plan) {
        this.client = client;
        this.pool = pool;
        this.settings = settings;
        this.request = request;
        this.plan = plan;
        this.loop = client.channel().eventLoop();
        this.body = new ReplayBuffer(settings.replayLimitBytes());
    }

    /**
     * Rewrites {@code request} for the backend and starts the first attempt. Chunks of its
     * body follow through {@link #onRequestContent}.
     */
    public static Exchange start(Downstream client, Pool pool, ProxySettings settings, HttpRequest request) {
        RequestPlan plan = RequestPlan.prepare(request, client.clientIp(), settings.scheme());
        Exchange exchange = new Exchange(client, pool, settings, request, plan);
        pool.retryBudget().recordRequest();
        exchange.attempt();
        return exchange;
    }

    /** Whether the client should be read for more body: only while upstream can take it. */
    public boolean wantsRequestBody() {
        // Also while RESPONDING: a backend may stream its answer while the upload goes on.
        return (state == State.SENDING || state == State.RESPONDING)
                && !requestComplete
                && upstream != null
                && upstream.channel().isWritable();
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    public void onRequestContent(HttpContent chunk) {
        boolean last = chunk instanceof LastHttpContent;
        if (state == State.DONE || (state == State.RESPONDING && requestComplete)) {
            chunk.release();
            return;
        }
        requestComplete |= last;
        if (upstream == null) {
            // Not connected yet: the client is not read meanwhile, so this holds at most what
            // one socket read decoded.
            body.keep(chunk);
            return;
        }
        if (body.admits(chunk)) {
            body.keep(chunk.retainedDuplicate());
        }
        Channel channel = upstream.channel();
        if (last && requestHeadHeld) {
            requestHeadHeld = false;
            channel.write(Coalesced.request(request, (LastHttpContent) chunk), channel.voidPromise());
            requestWritten();
            return;
        }
        writeHeldRequestHead();
        channel.write(chunk, channel.voidPromise());
        if (last) {
            requestWritten();
        }
    }

    public void onClientReadComplete() {
        if (upstream != null) {
            writeHeldRequestHead();
            TurnFlusher.flushAfterTurn(upstream.channel());
        }
    }

    private void writeHeldRequestHead() {
        if (requestHeadHeld) {
            requestHeadHeld = false;
            upstream.channel().write(request, upstream.channel().voidPromise());
        }
    }

    public void onClientWritabilityChanged(boolean writable) {
        if (writable && state == State.RESPONDING && upstream != null) {
            upstream.read();
        }
    }

    /** The client went away: nothing is left to answer, so drop the upstream side too. */
    public void onClientClosed() {
        // 499, as nginx logs it: the client closed the connection before the answer was complete.
        abandon(499);
    }

    /**
     * The request cannot be completed (its body broke, grew past the limit or stalled): the
     * frontend answers it, if it still can, with {@code status}, which is what gets logged
     * unless a backend's response already started. The backend saw half a request, so its
     * connection is closed, never pooled.
     */
    public void abandon(int status) {
        if (state == State.DONE) {
            return;
        }
        report(responseStatus != 0 ? responseStatus : status, responseStatus != 0 ? server : null);
        finish();
        if (upstream != null) {
            // Half a request or half a response is on that connection: never reuse it.
            detachUpstream(false);
        }
    }

    // ---- attempts -------------------------------------------------------------------------

    private void attempt() {
        Server picked = pool.selector().pick(tried == null ? Collections.emptySet() : tried);
        if (picked == null) {
            if (tried == null) {
                fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no server available in pool " + pool.name());
            } else {
                fail(HttpResponseStatus.BAD_GATEWAY, lastFailure() + "; no other server left to try");
            }
            return;
        }
        attemptOn(picked, true);
    }

    private void attemptOn(Server picked, boolean mayReuse) {
        attemptStartNanos = System.nanoTime();
        server = picked;
        server.exchangeStarted();
        attemptEnded = false;
        state = State.CONNECTING;
        UpstreamHandler idle = mayReuse ? server.connections(loop).pollIdle() : null;
        onReusedConnection = idle != null;
        if (idle != null) {
            connected(idle);
            return;
        }
        Server target = server;
        settings.connector().connect(target, loop).addListener((ChannelFutureListener) f -> connectDone(f, target));
    }

    private void connectDone(ChannelFuture future, Server target) {
        if (target != server || state != State.CONNECTING) {
            // The exchange moved on (client gone): a fresh, unused connection is worth keeping.
            if (future.isSuccess()) {
                Connector.handlerOf(future.channel()).release(true);
            }
            return;
        }
        if (!future.isSuccess()) {
            target.connectFailed(FailureReason.of(future.cause(), "connect failed"));
            retryOrFail(Failure.CONNECT_FAILED, future.cause());
            return;
        }
        connected(Connector.handlerOf(future.channel()));
    }

    private void connected(UpstreamHandler connection) {
        upstream = connection;
        state = State.SENDING;
        connection.attach(this);
        Channel channel = connection.channel();
        connection.read();
        if (!requestComplete && !plan.expectsBody()) {
            // Called while the client's read is being decoded: the request's end is next in
            // it, and onRequestContent writes and onClientReadComplete flushes both.
            requestHeadHeld = true;
            client.requestBodyWanted();
            return;
        }
        requestHeadHeld = false;
        channel.write(request, channel.voidPromise());
        body.replayTo(channel);
        body.trimToBound();
        if (requestComplete) {
            requestWritten();
        }
        channel.flush();
        client.requestBodyWanted();
    }

    private void requestWritten() {
        requestWritten = true;
        if (state != State.SENDING) {
            return;
        }
        upstream.startResponseClock(settings.upstreamResponse().toNanos());
    }

    @Override
    public void onResponseTimeout() {
        if (state == State.SENDING) {
            server.answerFailed();
            detachUpstream(false);
            fail(
                    HttpResponseStatus.GATEWAY_TIMEOUT,
                    "server " + server.label() + " did not answer within "
                            + settings.upstreamResponse().toMillis() + " ms");
        }
    }

    private void retryOrFail(Failure failure, Throwable cause) {
        endAttempt();
        lastFailure = failure;
        lastFailureCause = cause;
        if (RetryPolicy.INSTANCE.mayRetry(failure, request.method(), body.replayable(), retriesDone, pool)) {
            if (tried == null) {
                tried = new HashSet<>(4);
            }
            tried.add(server);
            retriesDone++;
            settings.metrics().retried(pool);
            requestWritten = false;
            attempt();
            return;
        }
        fail(HttpResponseStatus.BAD_GATEWAY, lastFailure());
    }

    /**
     * The 502's words for the last failed attempt. Built only when answering: a retry that
     * succeeds needs no string, and failover is exactly when the loops should stay light.
     * {@code server} is still the server of that attempt, since no new one was picked.
     */
    private String lastFailure() {
        return (lastFailure == Failure.CONNECT_FAILED ? "cannot connect to " : "connection lost to ")
                + server.label()
                + describe(lastFailureCause);
    }

    private static String describe(Throwable cause) {
        return cause == null ? "" : " (" + FailureReason.of(cause, "failed") + ")";
    }

    // ---- response -------------------------------------------------------------------------

    @Override
    public void onResponsePart(HttpObject part) {
        if (state != State.SENDING && state != State.RESPONDING) {
            ReferenceCountUtil.release(part);
            return;
        }
        if (part.decoderResult().isFailure()) {
            ReferenceCountUtil.release(part);
            invalidResponse(part.decoderResult().cause());
            return;
        }
        if (part instanceof HttpResponse head) {
            onResponseHead(head);
        }
        if (part instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse head) {
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            onInformational(head);
            return;
        }
        cancelResponseTimer();
        state = State.RESPONDING;
        body.discard();
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        responseStatus = head.status().code();
        closeClientAfter =
                plan.rewriteResponse(head, requestComplete || !plan.expectsBody(), client.closeAfterResponse());
        // Forwarded with its end if that is in the same read, else at the read's end.
        responseHeadHeld = head;
    }

    private void forwardHeldResponseHead() {
        HttpResponse head = responseHeadHeld;
        if (head != null) {
            responseHeadHeld = null;
            client.forward(head);
        }
    }

    /**
     * A 1xx is not the answer: the real one follows on the same connection (RFC 9110 §15.2).
     * It reaches only HTTP/1.1 clients (never 1.0 ones, §15.2), and 101 cannot happen since
     * Upgrade never reaches a backend.
     */
    private void onInformational(HttpResponse head) {
        if (head.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            invalidResponse(new IllegalStateException("101 Switching Protocols without an upgrade request"));
            return;
        }
        informational = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        if (informational) {
            HopByHopHeaders.strip(head.headers());
            client.forward(head);
        }
    }

    private void onResponseContent(HttpContent content) {
        if (state == State.SENDING) {
            // The empty end of a 1xx: pair it with the 1xx head in the client's encoder, if sent.
            if (informational) {
                informational = false;
                client.forward(content);
            } else {
                content.release();
            }
            return;
        }
        boolean last = content instanceof LastHttpContent;
        bytesSent += content.content().readableBytes();
        if (last && responseHeadHeld != null) {
            HttpResponse head = responseHeadHeld;
            responseHeadHeld = null;
            client.forward(Coalesced.response(head, (LastHttpContent) content));
        } else {
            forwardHeldResponseHead();
            client.forward(content);
        }
        if (last) {
            complete();
        }
    }

    private void complete() {
        boolean reusable = upstreamKeepAlive && requestWritten;
        report(responseStatus, server);
        finish();
        detachUpstream(reusable);
        client.exchangeComplete(!closeClientAfter);
    }

    private void invalidResponse(Throwable cause) {
        server.answerFailed();
        if (state == State.RESPONDING) {
            abortClient();
            return;
        }
        detachUpstream(false);
        endAttempt();
        fail(HttpResponseStatus.BAD_GATEWAY, "invalid response from " + server.label() + describe(cause));
    }

    @Override
    public void onResponseReadComplete() {
        forwardHeldResponseHead();
        TurnFlusher.flushAfterTurn(client.channel());
        if (state != State.DONE && upstream != null && client.channel().isWritable()) {
            upstream.read();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            client.requestBodyWanted();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        upstream = null;
        if (state == State.SENDING && mayRetryStaleConnection()) {
            // A kept-alive connection the backend closed as we reused it says nothing about
            // the server: try once more on a fresh connection to the same one, as nginx gives
            // a cached connection's failure a free try (ngx_http_upstream_next).
            staleRetryUsed = true;
            cancelResponseTimer();
            endAttempt();
            requestWritten = false;
            attemptOn(server, false);
        } else if (state == State.SENDING) {
            server.trafficFailed(FailureReason.of(cause, "connection closed before any response byte"));
            cancelResponseTimer();
            retryOrFail(Failure.RESET_BEFORE_RESPONSE, cause);
        } else if (state == State.RESPONDING) {
            abortClient();
        }
    }

    private boolean mayRetryStaleConnection() {
        return onReusedConnection && !staleRetryUsed && body.replayable() && RetryPolicy.isIdempotent(request.method());
    }

    // ---- endings ---------------------------------------------------------------------------

    /** Answers with an error of our own; no byte of a backend response went out before it. */
    private void fail(HttpResponseStatus status, String detail) {
        report(status.code(), null);
        finish();
        // The rest of an unread request body cannot be skipped safely: close after answering.
        boolean keepAlive =
                plan.clientKeepAlive() && (requestComplete || !plan.expectsBody()) && !client.closeAfterResponse();
        FullHttpResponse answer = ErrorResponses.of(status, detail, !keepAlive, keepAlive && plan.http10());
        answer.headers().set(RequestIds.HEADER, plan.requestId());
        client.forward(answer);
        client.exchangeComplete(keepAlive);
    }

    private void abortClient() {
        // What the client would have had without coalescing: the head, then the close.
        forwardHeldResponseHead();
        report(responseStatus, server);
        finish();
        detachUpstream(false);
        client.abort();
    }

    /**
     * Metrics and the access log, once per exchange. {@code answeredBy} is null when the
     * answer is our own: a 502/503/504 then counts as unserved, never against a server.
     */
    private void report(int status, Server answeredBy) {
        if (state == State.DONE) {
            return;
        }
        long now = System.nanoTime();
        long upstreamNanos = answeredBy == null ? -1 : now - attemptStartNanos;
        settings.metrics().exchange(pool, answeredBy, status, now - startNanos, upstreamNanos);
        AccessLog accessLog = settings.accessLog();
        if (accessLog != null) {
            accessLog.log(new AccessLogEntry(
                    startMillis,
                    plan.clientIp(),
                    request.method().name(),
                    request.uri(),
                    plan.clientVersion(),
                    status,
                    bytesSent,
                    pool.name(),
                    server == null ? null : server.label(),
                    upstreamNanos,
                    now - startNanos,
                    retriesDone,
                    plan.requestId().toString()));
        }
    }

    private void finish() {
        state = State.DONE;
        cancelResponseTimer();
        body.release();
        endAttempt();
    }

    private void endAttempt() {
        if (server != null && !attemptEnded) {
            attemptEnded = true;
            server.exchangeEnded();
        }
    }

    private void detachUpstream(boolean reusable) {
        UpstreamHandler connection = upstream;
        upstream = null;
        if (connection != null) {
            connection.release(reusable);
        }
    }

    private void cancelResponseTimer() {
        if (upstream != null) {
            upstream.stopResponseClock();
        }
    }
}
