package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import dev.switchyard.http.HeaderFields;
import dev.switchyard.http.Http1Decoder;
import dev.switchyard.http.Syntax;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Decodes a client's HTTP/1.x requests, as Netty's {@code HttpRequestDecoder} does, for less
 * work per request ({@link Http1Decoder} says how and why): a browser's 1 KiB head cost about a
 * fifth of the proxy's CPU per request in Netty's decoder and encoder (bench/README.md, "Issue 5,
 * eleventh round").
 *
 * <p>The rules, which refuse at least what Netty's strict decoder refused: a request line of
 * exactly {@code method SP target SP HTTP/d.d} (RFC 9112 §3; one space each, a token method, a
 * target without controls or spaces); the field rules of {@link HeaderFields}, under which
 * whitespace before a colon, obs-fold, a second Content-Length and control characters in a
 * value are refused; Transfer-Encoding only in HTTP/1.1, never beside Content-Length, and with
 * chunked as its final coding, else the length cannot be known (§6.3). The body is chunked,
 * Content-Length long, or none. {@link RequestCheck} then holds the rules a proxy adds and
 * {@code limits}.
 *
 * <p>A failed head is passed on as a request whose decoder result says why (as Netty does), a
 * failed body as a {@link LastHttpContent}; nothing after it is decoded. The methods of the
 * requests decoded and not yet answered are kept for the {@link ResponseEncoder}, which needs
 * them to know that the answer to a HEAD has no body. Event-loop confined, one per connection.
 */
final class RequestDecoder extends Http1Decoder {

    /**
     * What a request line holds besides its target: the method, two spaces and "HTTP/1.1".
     * Registered methods are at most 17 characters (IANA HTTP Method Registry), so 64 is ample.
     */
    static final int REQUEST_LINE_ROOM = 64;

    /** The largest body piece passed on at once; not a body limit, bodies stream. */
    static final int MAX_PIECE = 32 * 1024;

    /**
     * Requests decoded and not yet answered, at most: Netty's {@code HttpServerCodec} bound. One
     * read of pipelined requests decodes them all at once, so this bounds what a connection can
     * make the proxy hold.
     */
    static final int MAX_PIPELINED = 128;

    private static final HttpMethod[] COMMON_METHODS = {
        HttpMethod.GET,
        HttpMethod.POST,
        HttpMethod.HEAD,
        HttpMethod.PUT,
        HttpMethod.DELETE,
        HttpMethod.OPTIONS,
        HttpMethod.PATCH,
        HttpMethod.TRACE,
        HttpMethod.CONNECT,
    };

    private final ArrayDeque<HttpMethod> unanswered = new ArrayDeque<>(2);

    /**
     * The request line may be {@code limits.max-uri-length} plus {@link #REQUEST_LINE_ROOM}
     * long: a hard stop, so an endless line is never buffered; the exact target length is
     * checked on the decoded head ({@link RequestCheck}). Both give 414.
     */
    RequestDecoder(Limits limits) {
        super(true, limits.maxUriLength() + REQUEST_LINE_ROOM, limits.maxHeaderSize(), MAX_PIECE);
    }

    /** The method of the oldest request not yet answered, now being answered; null if none. */
    HttpMethod answering() {
        return unanswered.poll();
    }

    @Override
    protected long head(byte[] h, List<Object> out) {
        int lineEnd = startLineEnd(h);
        int methodEnd = next(h, 0, lineEnd);
        int targetEnd = next(h, methodEnd + 1, lineEnd);
        HttpMethod method = method(h, methodEnd);
        String target = target(h, methodEnd + 1, targetEnd);
        HttpVersion version = version(h, targetEnd + 1, lineEnd);
        HeaderFields fields = fields(h, lineEnd);
        long framing;
        if (fields.hasTransferEncoding()) {
            if (version != HttpVersion.HTTP_1_1) {
                throw new IllegalArgumentException("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (fields.contentLength() >= 0) {
                throw new IllegalArgumentException("both Content-Length and Transfer-Encoding");
            }
            if (!fields.chunked()) {
                throw new IllegalArgumentException("Transfer-Encoding without chunked last");
            }
            framing = CHUNKED;
        } else {
            framing = Math.max(fields.contentLength(), 0);
        }
        if (unanswered.size() >= MAX_PIPELINED) {
            throw new IllegalArgumentException("more than " + MAX_PIPELINED + " requests pipelined");
        }
        unanswered.add(method);
        out.add(new DefaultHttpRequest(version, method, target, fields.headers()));
        return framing;
    }

    @Override
    protected HttpObject failure(boolean inHead, Exception cause) {
        if (inHead) {
            // Netty's placeholder for a head it could not read; it, too, is answered.
            HttpRequest failed = new DefaultHttpRequest(
                    HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", EmptyHttpHeaders.INSTANCE);
            failed.setDecoderResult(DecoderResult.failure(cause));
            unanswered.add(HttpMethod.GET);
            return failed;
        }
        LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
        failed.setDecoderResult(DecoderResult.failure(cause));
        return failed;
    }

    /** The index of the SP that ends the part of the request line starting at {@code from}. */
    private static int next(byte[] h, int from, int lineEnd) {
        for (int i = from; i < lineEnd; i++) {
            if (h[i] == Syntax.SP) {
                if (i == from) {
                    break;
                }
                return i;
            }
        }
        throw new IllegalArgumentException("not a request line");
    }

    private static HttpMethod method(byte[] h, int end) {
        for (HttpMethod common : COMMON_METHODS) {
            String name = common.name();
            if (name.length() == end && Syntax.sameChars(h, 0, name)) {
                return common;
            }
        }
        for (int i = 0; i < end; i++) {
            if (!Syntax.isToken(h[i])) {
                throw new IllegalArgumentException("invalid method");
            }
        }
        return HttpMethod.valueOf(new String(h, 0, end, StandardCharsets.US_ASCII));
    }

    /** Visible ASCII and obs-text: {@link RequestCheck} narrows it to what a target may hold. */
    private static String target(byte[] h, int start, int end) {
        for (int i = start; i < end; i++) {
            int c = h[i] & 0xff;
            if (c < 0x21 || c == 0x7f) {
                throw new IllegalArgumentException("invalid character in the request target");
            }
        }
        return new String(h, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** HTTP/1.0 and 1.1 as Netty's constants; another HTTP/d.d for RequestCheck's 505. */
    private static HttpVersion version(byte[] h, int start, int lineEnd) {
        if (lineEnd - start != 8 || !Syntax.sameChars(h, start, "HTTP/") || h[start + 6] != '.') {
            throw new IllegalArgumentException("invalid HTTP version");
        }
        int major = h[start + 5] - '0';
        int minor = h[start + 7] - '0';
        if (major < 0 || major > 9 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("invalid HTTP version");
        }
        if (major == 1 && minor == 1) {
            return HttpVersion.HTTP_1_1;
        }
        if (major == 1 && minor == 0) {
            return HttpVersion.HTTP_1_0;
        }
        return new HttpVersion("HTTP", major, minor, false);
    }
}
