package dev.switchyard.proxy;

import dev.switchyard.http.FieldHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The framing decisions of one exchange: how the client's request is rewritten for the
 * backend, and how the backend's response head is rewritten for the client. Immutable after
 * {@link #prepare}; the rewrites edit the decoded messages in place (netty-notes §6).
 *
 * <p>Upstream we always speak HTTP/1.1 with keep-alive, whatever the client spoke, as nginx
 * does with {@code proxy_http_version 1.1}. Bodies are re-framed by the encoder from the
 * headers set here, never copied as raw bytes (netty-notes §12.3).
 */
final class RequestPlan {

    private final boolean clientKeepAlive;
    private final boolean http10;
    private final boolean head;
    private final boolean expectsBody;
    private final AsciiString requestId;
    private final String clientVersion;
    private final String clientIp;

    private RequestPlan(
            boolean clientKeepAlive,
            boolean http10,
            boolean head,
            boolean expectsBody,
            AsciiString requestId,
            String clientVersion,
            String clientIp) {
        this.clientVersion = clientVersion;
        this.clientIp = clientIp;
        this.clientKeepAlive = clientKeepAlive;
        this.http10 = http10;
        this.head = head;
        this.expectsBody = expectsBody;
        this.requestId = requestId;
    }

    static RequestPlan prepare(HttpRequest request, String clientIp, String scheme) {
        HttpHeaders headers = request.headers();
        // Both ask containsValue, which decoded headers answer without a lookup for a name they
        // never held (FieldHeaders): most requests have neither Connection nor Transfer-Encoding.
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = !request.protocolVersion().isKeepAliveDefault();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String host = headers.get(HttpHeaderNames.HOST);
        boolean expectsBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;

        AsciiString requestId = FieldHeaders.mayContain(headers, FieldHeaders.X_REQUEST_ID)
                ? RequestIds.keepOrCreate(headers.get(RequestIds.HEADER))
                : RequestIds.create();
        String clientVersion = request.protocolVersion().text();
        HopByHopHeaders.strip(headers);
        ForwardedHeaders.add(headers, clientIp, scheme, host);
        RequestIds.put(headers, requestId);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (chunked) {
            // Transfer-Encoding went with the hop-by-hop headers; the encoder chunks only when
            // the message it writes says so (netty-notes §11.6).
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        if (host == null) {
            // Only an HTTP/1.0 request gets here (1.1 without Host is refused with 400), and
            // HTTP/1.1 upstream requires one (RFC 9112 §3.2): name the authority we were asked for.
            headers.set(HttpHeaderNames.HOST, "localhost");
        }
        return new RequestPlan(
                keepAlive,
                http10,
                HttpMethod.HEAD.equals(request.method()),
                expectsBody,
                requestId,
                clientVersion,
                clientIp);
    }

    boolean clientKeepAlive() {
        return clientKeepAlive;
    }

    boolean http10() {
        return http10;
    }

    /** X-Request-Id: the client's if sane, else ours; sent upstream, back, and logged. */
    AsciiString requestId() {
        return requestId;
    }

    /** The HTTP version the client spoke, for the access log (upstream always gets 1.1). */
    String clientVersion() {
        return clientVersion;
    }

    /** The client's IP, worked out once for X-Forwarded-For and reused by the access log. */
    String clientIp() {
        return clientIp;
    }

    /**
     * Whether the request announced a body. One that did not is complete with its head: an
     * answer sent before its (empty) end arrives may still keep the connection alive.
     */
    boolean expectsBody() {
        return expectsBody;
    }

    /**
     * Rewrites a final response head for the client; returns whether the client connection
     * must close after this response.
     *
     * @param requestComplete whether the whole request body has arrived; if not, the rest of
     *                        it cannot be skipped safely, so the connection closes after
     * @param shuttingDown    graceful shutdown: this is the connection's last response
     */
    boolean rewriteResponse(HttpResponse response, boolean requestComplete, boolean shuttingDown) {
        HttpHeaders headers = response.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        HopByHopHeaders.strip(headers);
        RequestIds.put(headers, requestId);
        if (chunked) {
            // RFC 9112 §6.3: with both, Transfer-Encoding defines the length; CL is stale.
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);

        boolean close = !clientKeepAlive || !requestComplete || shuttingDown;
        if (hasBody(response.status()) && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (http10) {
                // No chunked coding for HTTP/1.0 (RFC 9112 §6.1): the close ends the body.
                close = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }

    /** RFC 9110 §6.4.1: no body in answers to HEAD, nor in 1xx, 204 or 304 answers. */
    private boolean hasBody(HttpResponseStatus status) {
        int code = status.code();
        return !head && code >= 200 && code != 204 && code != 304;
    }
}
