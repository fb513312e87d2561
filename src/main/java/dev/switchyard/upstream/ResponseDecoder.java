package dev.switchyard.upstream;

import dev.switchyard.http.HeaderFields;
import dev.switchyard.http.Http1Decoder;
import dev.switchyard.http.Syntax;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Decodes a backend's HTTP/1.x responses, as {@code HttpResponseDecoder} does, for less work
 * per response ({@link Http1Decoder} says how and why).
 *
 * <p>The rules, which refuse what Netty's strict decoder refused: a status line of HTTP/1.0 or
 * 1.1, three digits and an optional reason; the field rules of {@link HeaderFields}; not both
 * Content-Length and Transfer-Encoding, nor Transfer-Encoding in HTTP/1.0 (§6.1: faulty
 * framing). The body is framed by §6.3: none for HEAD, 1xx, 204 and 304; chunked when chunked
 * is the final coding, else to the close; else Content-Length; else to the close.
 *
 * <p>A failure is a {@link LastHttpContent} whose decoder result says why; the connection is
 * never reused. Event-loop confined, one per connection.
 */
final class ResponseDecoder extends Http1Decoder {

    /** A status line is a version, a code and a short reason phrase: 8 KiB is lavish. */
    static final int MAX_STATUS_LINE = 8192;

    /** The largest body piece passed on at once; not a body limit, bodies stream. */
    static final int MAX_PIECE = 32 * 1024;

    /** The methods of the requests sent whose responses have not started: HEAD's has no body. */
    private final ArrayDeque<HttpMethod> sent = new ArrayDeque<>(2);

    ResponseDecoder(int maxHeaderSize) {
        super(false, MAX_STATUS_LINE, maxHeaderSize, MAX_PIECE);
    }

    /** A request went out on this connection; its response is decoded by its method. */
    void requestSent(HttpMethod method) {
        sent.add(method);
    }

    @Override
    protected long head(byte[] h, List<Object> out) {
        int lineEnd = startLineEnd(h);
        HttpVersion version = version(h, lineEnd);
        HttpResponseStatus status = status(h, lineEnd);
        HeaderFields fields = fields(h, lineEnd);
        int code = status.code();
        HttpMethod method = code >= 200 ? sent.poll() : null;
        boolean bodiless = code < 200 || code == 204 || code == 304 || HttpMethod.HEAD.equals(method);
        long framing;
        if (bodiless) {
            framing = 0;
        } else if (fields.hasTransferEncoding()) {
            if (fields.contentLength() >= 0) {
                throw new IllegalArgumentException("both Content-Length and Transfer-Encoding");
            }
            if (version == HttpVersion.HTTP_1_0) {
                throw new IllegalArgumentException("Transfer-Encoding in an HTTP/1.0 response");
            }
            framing = fields.chunked() ? CHUNKED : UNTIL_CLOSE;
        } else if (fields.contentLength() >= 0) {
            framing = fields.contentLength();
        } else {
            framing = UNTIL_CLOSE;
        }
        out.add(new DefaultHttpResponse(version, status, fields.headers()));
        return framing;
    }

    @Override
    protected HttpObject failure(boolean inHead, Exception cause) {
        LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
        failed.setDecoderResult(DecoderResult.failure(cause));
        return failed;
    }

    private static HttpVersion version(byte[] h, int lineEnd) {
        if (lineEnd < 12 || !Syntax.sameChars(h, 0, "HTTP/1.") || h[8] != Syntax.SP) {
            throw new IllegalArgumentException("not an HTTP/1.x status line");
        }
        if (h[7] == '1') {
            return HttpVersion.HTTP_1_1;
        }
        if (h[7] == '0') {
            return HttpVersion.HTTP_1_0;
        }
        throw new IllegalArgumentException("unsupported HTTP version");
    }

    private static HttpResponseStatus status(byte[] h, int lineEnd) {
        int code = 0;
        for (int i = 9; i < 12; i++) {
            int digit = h[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IllegalArgumentException("invalid status code");
            }
            code = code * 10 + digit;
        }
        if (code < 100) {
            throw new IllegalArgumentException("invalid status code");
        }
        int reasonStart = 13;
        if (lineEnd == 12) {
            reasonStart = 12;
        } else if (h[12] != Syntax.SP) {
            throw new IllegalArgumentException("invalid status code");
        }
        for (int i = reasonStart; i < lineEnd; i++) {
            if (!Syntax.isFieldChar(h[i])) {
                throw new IllegalArgumentException("invalid character in the reason phrase");
            }
        }
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        String reason = standard.reasonPhrase();
        if (reason.length() == lineEnd - reasonStart && Syntax.sameChars(h, reasonStart, reason)) {
            return standard;
        }
        return new HttpResponseStatus(
                code, new String(h, reasonStart, lineEnd - reasonStart, StandardCharsets.ISO_8859_1));
    }
}
