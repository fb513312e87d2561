package dev.switchyard.http;

import static dev.switchyard.http.Syntax.CR;
import static dev.switchyard.http.Syntax.HTAB;
import static dev.switchyard.http.Syntax.LF;
import static dev.switchyard.http.Syntax.SP;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.AsciiString;

/**
 * The field lines of one head or trailer section, split and checked in one pass, with what
 * they say about framing. Names and values are views of the section's array: a value is
 * copied once, by the encoder of the next hop, as one block.
 *
 * <p>Refused, as {@link IllegalArgumentException}: a name that is not a token, a value with a
 * control character other than HTAB, obs-fold (RFC 9112 §5.2 lets a server refuse it and a
 * proxy answer 502), a second Content-Length or one that is not all digits. Whitespace between
 * a name and its colon is refused in a request (§5.1: 400) and removed from a response.
 */
public final class HeaderFields {

    private static final AsciiString CHUNKED = AsciiString.cached("chunked");

    private final FieldHeaders headers = new FieldHeaders();
    private final boolean request;
    private long contentLength = -1;
    /** The last Transfer-Encoding field's value: its last coding decides (RFC 9112 §6.3). */
    private AsciiString transferEncoding;

    private HeaderFields(boolean request) {
        this.request = request;
    }

    /**
     * The field lines of {@code h} from {@code pos} to the empty line that ends them, at most
     * {@code maxSize} bytes of them. {@code h} ends with that line's LF, so every scan below
     * stops at an LF at the latest.
     */
    static HeaderFields parse(byte[] h, int pos, int maxSize, boolean request) {
        HeaderFields fields = new HeaderFields(request);
        int start = pos;
        while (h[pos] != CR || h[pos + 1] != LF) {
            if (h[pos] == LF) {
                throw Syntax.bareLineFeed();
            }
            pos = fields.add(h, pos);
            if (pos - start > maxSize) {
                throw new TooLongHttpHeaderException("header section larger than " + maxSize + " bytes");
            }
        }
        return fields;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The Content-Length, or -1 without one. */
    public long contentLength() {
        return contentLength;
    }

    public boolean hasTransferEncoding() {
        return transferEncoding != null;
    }

    /** Whether chunked is the final transfer coding; call only with a Transfer-Encoding. */
    public boolean chunked() {
        AsciiString codings = transferEncoding;
        int end = codings.length();
        while (end > 0 && (codings.byteAt(end - 1) == SP || codings.byteAt(end - 1) == HTAB)) {
            end--;
        }
        int start = end;
        while (start > 0 && codings.byteAt(start - 1) != ',') {
            start--;
        }
        while (start < end && (codings.byteAt(start) == SP || codings.byteAt(start) == HTAB)) {
            start++;
        }
        return codings.subSequence(start, end, false).contentEqualsIgnoreCase(CHUNKED);
    }

    /** Splits, checks and adds the field line at {@code start}; returns where the next one starts. */
    private int add(byte[] h, int start) {
        int i = start;
        while (Syntax.isToken(h[i])) {
            i++;
        }
        int nameEnd = i;
        if (nameEnd == start) {
            throw new IllegalArgumentException(
                    h[start] == SP || h[start] == HTAB ? "obs-fold in a header" : "invalid header name");
        }
        if (!request) {
            while (h[i] == SP || h[i] == HTAB) {
                i++;
            }
        }
        if (h[i] != ':') {
            throw new IllegalArgumentException("invalid header name");
        }
        i++;
        while (h[i] == SP || h[i] == HTAB) {
            i++;
        }
        int valueStart = i;
        i = Syntax.fieldCharsEnd(h, i);
        if (h[i] != CR || h[i + 1] != LF) {
            throw h[i] == LF
                    ? Syntax.bareLineFeed()
                    : new IllegalArgumentException("invalid character in a header value");
        }
        int valueEnd = i;
        while (valueEnd > valueStart && (h[valueEnd - 1] == SP || h[valueEnd - 1] == HTAB)) {
            valueEnd--;
        }
        AsciiString name = HeaderNames.of(h, start, nameEnd - start);
        AsciiString value = new AsciiString(h, valueStart, valueEnd - valueStart, false);
        if (name == HeaderNames.CONTENT_LENGTH || name.contentEqualsIgnoreCase(HeaderNames.CONTENT_LENGTH)) {
            if (contentLength >= 0) {
                throw new IllegalArgumentException("more than one Content-Length");
            }
            contentLength = length(value);
        } else if (name == HeaderNames.TRANSFER_ENCODING
                || name.contentEqualsIgnoreCase(HeaderNames.TRANSFER_ENCODING)) {
            transferEncoding = value;
        }
        headers.add(name, value);
        return i + 2;
    }

    private static long length(AsciiString value) {
        if (value.isEmpty() || value.length() > 18) {
            throw new IllegalArgumentException("invalid Content-Length");
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            int digit = value.byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                throw new IllegalArgumentException("invalid Content-Length");
            }
            length = length * 10 + digit;
        }
        return length;
    }
}
