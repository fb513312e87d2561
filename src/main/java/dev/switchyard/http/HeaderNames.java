package dev.switchyard.http;

import io.netty.util.AsciiString;
import java.util.Arrays;

/**
 * The header names browsers and backends send most, as shared {@link AsciiString}s in the
 * spelling they use. A decoded name that matches one byte for byte is this object, not a new
 * one: its case-insensitive hash is computed once per process instead of once per message, and
 * the encoder on the other side copies it as one block. Any other spelling gets its own name,
 * so what a peer wrote is what the next hop reads. Stateless.
 */
public final class HeaderNames {

    public static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    public static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");

    private static final AsciiString[] KNOWN = {
        CONTENT_LENGTH,
        TRANSFER_ENCODING,
        AsciiString.cached("Content-Type"),
        AsciiString.cached("Connection"),
        AsciiString.cached("Date"),
        AsciiString.cached("Server"),
        AsciiString.cached("Keep-Alive"),
        AsciiString.cached("Last-Modified"),
        AsciiString.cached("ETag"),
        AsciiString.cached("Accept-Ranges"),
        AsciiString.cached("Cache-Control"),
        AsciiString.cached("Expires"),
        AsciiString.cached("Vary"),
        AsciiString.cached("Location"),
        AsciiString.cached("Set-Cookie"),
        AsciiString.cached("Content-Encoding"),
        AsciiString.cached("Content-Language"),
        AsciiString.cached("Content-Disposition"),
        AsciiString.cached("Access-Control-Allow-Origin"),
        AsciiString.cached("Strict-Transport-Security"),
        AsciiString.cached("X-Content-Type-Options"),
        AsciiString.cached("X-Frame-Options"),
        AsciiString.cached("X-Request-Id"),
        AsciiString.cached("Age"),
        AsciiString.cached("Pragma"),
        AsciiString.cached("WWW-Authenticate"),
        AsciiString.cached("Retry-After"),
        AsciiString.cached("Content-Security-Policy"),
        // Requests, as browsers spell them (HTTP/1.1 browsers send these capitalised; the
        // client hints, lower-case).
        AsciiString.cached("Host"),
        AsciiString.cached("User-Agent"),
        AsciiString.cached("Accept"),
        AsciiString.cached("Accept-Language"),
        AsciiString.cached("Accept-Encoding"),
        AsciiString.cached("Cookie"),
        AsciiString.cached("Referer"),
        AsciiString.cached("Origin"),
        AsciiString.cached("Authorization"),
        AsciiString.cached("If-None-Match"),
        AsciiString.cached("If-Modified-Since"),
        AsciiString.cached("Upgrade-Insecure-Requests"),
        AsciiString.cached("Sec-Fetch-Site"),
        AsciiString.cached("Sec-Fetch-Mode"),
        AsciiString.cached("Sec-Fetch-User"),
        AsciiString.cached("Sec-Fetch-Dest"),
        AsciiString.cached("sec-ch-ua"),
        AsciiString.cached("sec-ch-ua-mobile"),
        AsciiString.cached("sec-ch-ua-platform"),
        AsciiString.cached("Priority"),
        AsciiString.cached("X-Forwarded-For"),
        AsciiString.cached("X-Requested-With"),
        AsciiString.cached("Expect"),
        AsciiString.cached("Range"),
    };

    /** By length: the known names of that length. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    private HeaderNames() {}

    /** The shared name spelled exactly as {@code bytes[start, start + length)}, else a new one. */
    public static AsciiString of(byte[] bytes, int start, int length) {
        if (length < BY_LENGTH.length) {
            byte first = bytes[start];
            for (AsciiString known : BY_LENGTH[length]) {
                // Most names of one length differ in their first byte: a cheap test first.
                if (known.byteAt(0) == first
                        && Arrays.equals(
                                known.array(),
                                known.arrayOffset(),
                                known.arrayOffset() + length,
                                bytes,
                                start,
                                start + length)) {
                    return known;
                }
            }
        }
        return new AsciiString(bytes, start, length, false);
    }

    /**
     * The shared name that equals {@code name} ignoring case, or null: lets a table of
     * lower-case names also match this class's spellings by identity.
     */
    static AsciiString sharedIgnoringCase(AsciiString name) {
        for (AsciiString known : KNOWN) {
            if (known.contentEqualsIgnoreCase(name)) {
                return known;
            }
        }
        return null;
    }

    private static AsciiString[][] byLength() {
        int longest = 0;
        for (AsciiString name : KNOWN) {
            longest = Math.max(longest, name.length());
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int count = 0;
            for (AsciiString name : KNOWN) {
                count += name.length() == length ? 1 : 0;
            }
            table[length] = new AsciiString[count];
            int i = 0;
            for (AsciiString name : KNOWN) {
                if (name.length() == length) {
                    table[length][i++] = name;
                }
            }
        }
        return table;
    }
}
