package dev.switchyard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

/**
 * The header names the proxy itself sets on a forwarded request, as the constant objects it
 * sets them with. The request decoder's name check skips exactly these objects: a request's
 * head is checked as it is decoded, and then again by every {@code set} on it, though these
 * names are tokens by construction. Stateless.
 */
public final class OwnHeaderNames {

    private static final AsciiString[] NAMES = {
        ForwardedHeaders.X_FORWARDED_FOR,
        ForwardedHeaders.X_FORWARDED_PROTO,
        ForwardedHeaders.X_FORWARDED_HOST,
        RequestIds.HEADER,
        HttpHeaderNames.HOST,
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.CONTENT_LENGTH,
    };

    private OwnHeaderNames() {}

    /** Whether {@code name} is one of these very objects; an equal name from the wire is not. */
    public static boolean contains(CharSequence name) {
        for (AsciiString own : NAMES) {
            if (own == name) {
                return true;
            }
        }
        return false;
    }
}
