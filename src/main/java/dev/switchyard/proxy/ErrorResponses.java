package dev.switchyard.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answers Switchyard writes itself (400, 404, 408, 429, 431, 502, 503, 504): a status line,
 * a short plain-text body saying what happened, and explicit framing, so a client never
 * waits for more. Stateless.
 */
public final class ErrorResponses {

    private ErrorResponses() {}

    /**
     * A plain-text answer of our own, {@code "<code> <reason>: <detail>"}.
     *
     * @param close      the connection closes after this answer: say so (RFC 9112 §9.6)
     * @param http10Keep the client is HTTP/1.0 and asked for keep-alive, which 1.0 must be
     *                   told explicitly
     */
    public static FullHttpResponse of(HttpResponseStatus status, String detail, boolean close, boolean http10Keep) {
        String text = status.code() + " " + status.reasonPhrase() + (detail == null ? "" : ": " + detail) + "\n";
        ByteBuf body = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Keep) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }
}
