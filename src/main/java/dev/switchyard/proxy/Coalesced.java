package dev.switchyard.proxy;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A head and the message's end that arrived together, as one message: Netty's encoder then
 * writes the head and a small body into one buffer, and the pipeline carries one write
 * instead of two. Most requests (a GET) and most small responses arrive this way.
 *
 * <p>The result owns {@code end}'s buffer; {@code end} itself must not be released after.
 * The head's headers and the end's trailers are shared, not copied.
 */
final class Coalesced {

    private Coalesced() {}

    static FullHttpRequest request(HttpRequest head, LastHttpContent end) {
        return new DefaultFullHttpRequest(
                head.protocolVersion(),
                head.method(),
                head.uri(),
                end.content(),
                head.headers(),
                end.trailingHeaders());
    }

    static FullHttpResponse response(HttpResponse head, LastHttpContent end) {
        return new DefaultFullHttpResponse(
                head.protocolVersion(), head.status(), end.content(), head.headers(), end.trailingHeaders());
    }
}
