package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Whether a decoded request head may be forwarded at all. The codec already refuses most
 * malformed input (its failure is a value on the message, netty-notes §9); this adds the
 * RFC 9112 framing rules a proxy must hold itself so that a backend can never read the
 * request differently than we did, and the exact head limits of {@code switchyard.limits}.
 * Stateless.
 */
final class RequestCheck {

    /** Why a request is refused: the status and a short, client-safe explanation. */
    record Refusal(HttpResponseStatus status, String reason) {}

    private RequestCheck() {}

    /**
     * Why {@code request} may not be served, or null when it may. The decoder's own verdict
     * comes first, then the framing rules, then {@code limits}: a request that is both
     * malformed and too large is told it is malformed.
     */
    static Refusal refusal(HttpRequest request, Limits limits) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                // The decoder's line limit is sized from max-uri-length (RequestDecoder).
                return new Refusal(
                        HttpResponseStatus.REQUEST_URI_TOO_LONG, // RFC 9110 §15.5.15
                        "request target longer than limits.max-uri-length");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return new Refusal(
                        HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, // RFC 6585 §5
                        "request head larger than limits.max-header-size");
            }
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "malformed request");
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            // RFC 9110 §15.6.6: HTTP/2 and later do not speak this framing; nginx answers the same.
            return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are served");
        }
        String malformed = reasonOrNull(request);
        if (malformed != null) {
            return new Refusal(
                    HttpMethod.CONNECT.equals(request.method())
                            ? HttpResponseStatus.METHOD_NOT_ALLOWED
                            : HttpResponseStatus.BAD_REQUEST,
                    malformed);
        }
        return overLimit(request, limits);
    }

    private static Refusal overLimit(HttpRequest request, Limits limits) {
        if (request.uri().length() > limits.maxUriLength()) {
            return new Refusal(
                    HttpResponseStatus.REQUEST_URI_TOO_LONG, "request target longer than limits.max-uri-length");
        }
        // size() counts field lines, so a repeated name counts once per line, as it was sent.
        if (request.headers().size() > limits.maxHeaderCount()) {
            return new Refusal(
                    HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "more header fields than limits.max-header-count");
        }
        // The decoder accepted the head, so a Content-Length present is one valid number.
        if (limits.maxBodySize() > 0 && HttpUtil.getContentLength(request, -1L) > limits.maxBodySize()) {
            return new Refusal(
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, // RFC 9110 §15.5.14
                    "Content-Length larger than limits.max-body-size");
        }
        return null;
    }

    /**
     * RFC 9112 §3.2: origin-form starts with "/", absolute-form with a scheme, and "*" is only
     * for OPTIONS. Anything else would be routed and forwarded as something a backend may read
     * differently (a bare "index.html" is resolved against nothing).
     */
    private static boolean isValidTarget(HttpRequest request) {
        String uri = request.uri();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            // RFC 9112 §3.2 / RFC 3986: visible ASCII only. The codec lets controls and bytes
            // >= 0x80 through, and the encoder would re-encode the latter as UTF-8: a backend
            // would read another target than the one we routed.
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        if (uri.startsWith("/")) {
            return true;
        }
        if ("*".equals(uri)) {
            return HttpMethod.OPTIONS.equals(request.method());
        }
        int authorityStart = absoluteFormAuthorityStart(uri);
        if (authorityStart < 0) {
            return false;
        }
        int authorityEnd = authorityEnd(uri, authorityStart);
        // An empty authority names no host; userinfo is deprecated and only ever used to make
        // "http://trusted@evil/" look like the trusted host (RFC 9110 §4.2.4: reject it).
        return authorityEnd > authorityStart && uri.lastIndexOf('@', authorityEnd - 1) < authorityStart;
    }

    /**
     * Rewrites an absolute-form target ({@code http://shop.example/cart?x}) to origin form
     * ({@code /cart?x}) with its authority as the only Host, as nginx does. RFC 9112 §3.2.2 has the
     * authority override Host, and routing follows it; forwarded as sent, a backend that reads
     * Host instead would serve another site than the one routed. Call only on a request that
     * passed {@link #refusal}.
     */
    static void toOriginForm(HttpRequest request) {
        String uri = request.uri();
        int authorityStart = absoluteFormAuthorityStart(uri);
        if (authorityStart < 0) {
            return;
        }
        int authorityEnd = authorityEnd(uri, authorityStart);
        String rest = uri.substring(authorityEnd);
        request.headers().set(HttpHeaderNames.HOST, uri.substring(authorityStart, authorityEnd));
        request.setUri(rest.startsWith("/") ? rest : "/" + rest);
    }

    /** Where the authority of an http or https absolute-form target starts, else -1. */
    private static int absoluteFormAuthorityStart(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    private static int authorityEnd(String uri, int authorityStart) {
        for (int i = authorityStart; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }

    private static String reasonOrNull(HttpRequest request) {
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header"; // RFC 9112 §3.2
        }
        if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "HTTP/1.1 request without Host"; // RFC 9112 §3.2
        }
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty()) {
            // We decode only chunked and re-frame the body ourselves; any other coding, a list,
            // or TE beside CL could be framed differently by a backend (RFC 9112 §6.1, §6.3).
            if (codings.size() > 1 || !"chunked".equalsIgnoreCase(codings.get(0).trim())) {
                return "unsupported Transfer-Encoding";
            }
            if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return "both Transfer-Encoding and Content-Length";
            }
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return "CONNECT is not served: this is a reverse proxy";
        }
        if (!isValidTarget(request)) {
            return "invalid request target";
        }
        return null;
    }
}
