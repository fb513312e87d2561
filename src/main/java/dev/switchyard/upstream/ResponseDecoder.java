package dev.switchyard.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Decodes a backend's HTTP/1.x responses into Netty's message objects: a head, its body in
 * pieces, and its end, as {@code HttpResponseDecoder} does, for less work per response.
 *
 * <p>Why not Netty's decoder: it turns every header into two {@code String}s, hashes and
 * validates them char by char, and the client side encodes them back char by char; on small
 * responses that was the largest single cost of the proxy (bench/README.md, "Issue 5, fourth
 * round"). Here a head is copied once into one array, checked byte by byte against RFC 9112's
 * grammar in the same pass that splits it, and its names and values are views of that array
 * ({@link AsciiString}s): frequent names are shared objects ({@link HeaderNames}), and the
 * client's encoder copies each value as one block.
 *
 * <p>The rules, which refuse what Netty's strict decoder refused: a status line of HTTP/1.0 or
 * 1.1, three digits and an optional reason; header names of token characters, values without
 * control characters; no obs-fold (RFC 9112 §5.2 lets a proxy answer 502 instead); at most
 * one Content-Length, all digits; not both Content-Length and Transfer-Encoding, nor
 * Transfer-Encoding in HTTP/1.0 (§6.1: faulty framing). The body is framed by §6.3: none for
 * HEAD, 1xx, 204 and 304; chunked when chunked is the final coding, else to the close; else
 * Content-Length; else to the close. A close before the end of a framed body is a failed
 * part, so the exchange never mistakes it for a complete response.
 *
 * <p>A failure is a {@link LastHttpContent} whose decoder result says why; nothing after it is
 * decoded, and the connection is never reused. Event-loop confined, one per connection.
 */
final class ResponseDecoder extends ByteToMessageDecoder {

    /** A status line is a version, a code and a short reason phrase: 8 KiB is lavish. */
    static final int MAX_STATUS_LINE = 8192;

    /** The largest body piece passed on at once; not a body limit, bodies stream. */
    static final int MAX_PIECE = 32 * 1024;

    /** A chunk-size line: hex digits, and extensions that no server makes long. */
    private static final int MAX_CHUNK_SIZE_LINE = 4096;

    /** Names and values were checked while splitting; checking them again is the cost we shed. */
    private static final HttpHeadersFactory UNCHECKED =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';

    private static final AsciiString CHUNKED = AsciiString.cached("chunked");

    /** RFC 9110 §5.6.2 tchar. */
    private static final boolean[] TOKEN = tokenChars();

    private enum State {
        HEAD,
        FIXED,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        UNTIL_CLOSE,
        BROKEN
    }

    private final int maxHeaderSize;
    /** The methods of the requests sent whose responses have not started: HEAD's has no body. */
    private final ArrayDeque<HttpMethod> sent = new ArrayDeque<>(2);

    private State state = State.HEAD;
    /** Body bytes still to come: of the whole body (FIXED) or of the current chunk. */
    private long remaining;
    /** How far the search for the end of a head or trailer section got, from the reader index. */
    private int scanned;

    ResponseDecoder(int maxHeaderSize) {
        this.maxHeaderSize = maxHeaderSize;
    }

    /** A request went out on this connection; its response is decoded by its method. */
    void requestSent(HttpMethod method) {
        sent.add(method);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (step(in, out)) {
                // each step consumed bytes and may have produced a part
            }
        } catch (IllegalArgumentException | TooLongHttpLineException | TooLongHttpHeaderException invalid) {
            fail(in, out, invalid);
        }
    }

    /** One state's worth of decoding; false when it needs more bytes. */
    private boolean step(ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD:
                return readHead(in, out);
            case FIXED:
                return readFixed(in, out);
            case CHUNK_SIZE:
                return readChunkSize(in);
            case CHUNK_DATA:
                return readChunkData(in, out);
            case CHUNK_END:
                return readChunkEnd(in);
            case TRAILERS:
                return readTrailers(in, out);
            case UNTIL_CLOSE:
                if (in.isReadable()) {
                    out.add(new DefaultHttpContent(in.readRetainedSlice(in.readableBytes())));
                }
                return false;
            default:
                in.skipBytes(in.readableBytes());
                return false;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        switch (state) {
            case UNTIL_CLOSE:
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                state = State.HEAD;
                break;
            case FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS:
                fail(in, out, new PrematureChannelClosureException("connection closed before the response's end"));
                break;
            default:
                // Between responses, or within a head: nothing to pass on. The exchange hears of
                // the close from the connection itself.
                break;
        }
    }

    // ---- head -----------------------------------------------------------------------------

    private boolean readHead(ByteBuf in, List<Object> out) {
        if (scanned == 0) {
            skipBlankLines(in);
        }
        if (!in.isReadable()) {
            return false;
        }
        int start = in.readerIndex();
        int end = sectionEnd(in);
        if (end < 0) {
            int have = in.writerIndex() - start;
            if (have > MAX_STATUS_LINE && in.indexOf(start, start + MAX_STATUS_LINE, LF) < 0) {
                throw new TooLongHttpLineException("status line longer than " + MAX_STATUS_LINE + " bytes");
            }
            if (have > MAX_STATUS_LINE + maxHeaderSize) {
                throw new TooLongHttpHeaderException("response head larger than " + maxHeaderSize + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - start];
        in.readBytes(head);
        startBody(parseHead(head), out);
        return true;
    }

    /** Some servers end a body with a spare CRLF; RFC 9112 §2.2 lets a recipient skip it. */
    private static void skipBlankLines(ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.getByte(in.readerIndex());
            if (b != CR && b != LF) {
                return;
            }
            in.skipBytes(1);
        }
    }

    /**
     * The index just past the empty line that ends the section starting at the reader index (a
     * head or trailers, whose first line is not empty), or -1 if it has not all arrived.
     */
    private int sectionEnd(ByteBuf in) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int from = start + scanned;
        while (from < limit) {
            int lf = in.indexOf(from, limit, LF);
            if (lf < 0) {
                break;
            }
            if (lf + 1 >= limit) {
                scanned = lf - start;
                return -1;
            }
            byte next = in.getByte(lf + 1);
            if (next == LF) {
                scanned = 0;
                return lf + 2;
            }
            if (next == CR) {
                if (lf + 2 >= limit) {
                    scanned = lf - start;
                    return -1;
                }
                if (in.getByte(lf + 2) == LF) {
                    scanned = 0;
                    return lf + 3;
                }
            }
            from = lf + 1;
        }
        scanned = limit - start;
        return -1;
    }

    private ParsedHead parseHead(byte[] h) {
        int lf = indexOf(h, 0, LF);
        int lineEnd = lineEnd(h, 0, lf);
        if (lineEnd > MAX_STATUS_LINE) {
            throw new TooLongHttpLineException("status line longer than " + MAX_STATUS_LINE + " bytes");
        }
        HttpVersion version = version(h, lineEnd);
        HttpResponseStatus status = status(h, lineEnd);
        return new ParsedHead(version, status, fields(h, lf + 1));
    }

    /** The field lines of a head or trailer section from {@code pos} to its empty line. */
    private Fields fields(byte[] h, int pos) {
        Fields fields = new Fields();
        int fieldBytes = 0;
        while (true) {
            int lf = indexOf(h, pos, LF);
            int end = lineEnd(h, pos, lf);
            if (end == pos) {
                return fields;
            }
            fieldBytes += lf + 1 - pos;
            if (fieldBytes > maxHeaderSize) {
                throw new TooLongHttpHeaderException("response headers larger than " + maxHeaderSize + " bytes");
            }
            fields.add(h, pos, end);
            pos = lf + 1;
        }
    }

    private static HttpVersion version(byte[] h, int lineEnd) {
        if (lineEnd < 12 || !startsWith(h, "HTTP/1.") || h[8] != SP) {
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
        } else if (h[12] != SP) {
            throw new IllegalArgumentException("invalid status code");
        }
        for (int i = reasonStart; i < lineEnd; i++) {
            if (!fieldChar(h[i])) {
                throw new IllegalArgumentException("invalid character in the reason phrase");
            }
        }
        HttpResponseStatus standard = HttpResponseStatus.valueOf(code);
        String reason = standard.reasonPhrase();
        if (reason.length() == lineEnd - reasonStart && sameChars(h, reasonStart, reason)) {
            return standard;
        }
        return new HttpResponseStatus(
                code, new String(h, reasonStart, lineEnd - reasonStart, StandardCharsets.ISO_8859_1));
    }

    /** Passes the head on and sets up for its body; checks the framing before either. */
    private void startBody(ParsedHead head, List<Object> out) {
        int code = head.status().code();
        Fields fields = head.fields();
        HttpMethod method = code >= 200 ? sent.poll() : null;
        boolean bodiless = code < 200 || code == 204 || code == 304 || HttpMethod.HEAD.equals(method);
        State body;
        if (bodiless) {
            body = State.HEAD;
        } else if (fields.transferEncoding != null) {
            if (fields.contentLength >= 0) {
                throw new IllegalArgumentException("both Content-Length and Transfer-Encoding");
            }
            if (head.version() == HttpVersion.HTTP_1_0) {
                throw new IllegalArgumentException("Transfer-Encoding in an HTTP/1.0 response");
            }
            body = fields.chunked() ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
        } else if (fields.contentLength >= 0) {
            body = fields.contentLength > 0 ? State.FIXED : State.HEAD;
        } else {
            body = State.UNTIL_CLOSE;
        }
        out.add(new DefaultHttpResponse(head.version(), head.status(), fields.headers));
        state = body;
        remaining = fields.contentLength;
        if (body == State.HEAD) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    // ---- body -----------------------------------------------------------------------------

    private boolean readFixed(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return false;
        }
        ByteBuf piece = nextPiece(in);
        if (remaining == 0) {
            state = State.HEAD;
            out.add(new DefaultLastHttpContent(piece, EmptyHttpHeaders.INSTANCE));
        } else {
            out.add(new DefaultHttpContent(piece));
        }
        return true;
    }

    private boolean readChunkSize(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), LF);
        if (lf < 0) {
            if (in.readableBytes() > MAX_CHUNK_SIZE_LINE) {
                throw new TooLongHttpLineException("chunk size line longer than " + MAX_CHUNK_SIZE_LINE + " bytes");
            }
            return false;
        }
        if (lf == start || in.getByte(lf - 1) != CR) {
            throw bareLineFeed();
        }
        int end = lf - 1;
        long size = 0;
        int i = start;
        for (; i < end; i++) {
            int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                throw new IllegalArgumentException("chunk size too large");
            }
            size = (size << 4) | digit;
        }
        if (i == start) {
            throw new IllegalArgumentException("invalid chunk size");
        }
        // Chunk extensions (RFC 9112 §7.1.1) are ignored, but must not hide control characters.
        while (i < end && (in.getByte(i) == SP || in.getByte(i) == HTAB)) {
            i++;
        }
        if (i < end && in.getByte(i) != ';') {
            throw new IllegalArgumentException("invalid chunk size line");
        }
        for (; i < end; i++) {
            if (!fieldChar(in.getByte(i))) {
                throw new IllegalArgumentException("invalid chunk size line");
            }
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean readChunkData(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return false;
        }
        out.add(new DefaultHttpContent(nextPiece(in)));
        if (remaining == 0) {
            state = State.CHUNK_END;
        }
        return true;
    }

    /** The next piece of the body or chunk, as a slice: at most MAX_PIECE, never past its end. */
    private ByteBuf nextPiece(ByteBuf in) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), MAX_PIECE);
        remaining -= n;
        return in.readRetainedSlice(n);
    }

    private boolean readChunkEnd(ByteBuf in) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int r = in.readerIndex();
        byte b = in.getByte(r);
        if (b == CR && readable < 2) {
            return false;
        } else if (b == CR && in.getByte(r + 1) == LF) {
            in.skipBytes(2);
        } else {
            throw new IllegalArgumentException("chunk longer than its size");
        }
        state = State.CHUNK_SIZE;
        return true;
    }

    private boolean readTrailers(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return false;
        }
        int r = in.readerIndex();
        byte first = in.getByte(r);
        if (first == LF || first == CR) {
            if (first == CR && readable < 2) {
                return false;
            }
            if (first == LF || in.getByte(r + 1) != LF) {
                throw new IllegalArgumentException("invalid end of a chunked body");
            }
            in.skipBytes(2);
            state = State.HEAD;
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            return true;
        }
        int end = sectionEnd(in);
        if (end < 0) {
            if (in.writerIndex() - r > maxHeaderSize) {
                throw new TooLongHttpHeaderException("trailers larger than " + maxHeaderSize + " bytes");
            }
            return false;
        }
        if (end - r > maxHeaderSize) {
            throw new TooLongHttpHeaderException("trailers larger than " + maxHeaderSize + " bytes");
        }
        byte[] section = new byte[end - r];
        in.readBytes(section);
        HttpHeaders trailers = fields(section, 0).headers;
        // Framing fields are meaningless, and dangerous, in a trailer section (RFC 9110 §6.5.1).
        trailers.remove(HttpHeaderNames.CONTENT_LENGTH);
        trailers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        trailers.remove(HttpHeaderNames.TRAILER);
        state = State.HEAD;
        out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        return true;
    }

    private void fail(ByteBuf in, List<Object> out, Exception cause) {
        state = State.BROKEN;
        in.skipBytes(in.readableBytes());
        LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
        failed.setDecoderResult(DecoderResult.failure(cause));
        out.add(failed);
    }

    // ---- bytes ----------------------------------------------------------------------------

    /** A head's bytes always end with an LF, so every line has one. */
    private static int indexOf(byte[] h, int from, byte b) {
        for (int i = from; i < h.length; i++) {
            if (h[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("incomplete line");
    }

    /** Where the line from {@code start} to the LF at {@code lf} ends, without its CR. */
    private static int lineEnd(byte[] h, int start, int lf) {
        if (lf == start || h[lf - 1] != CR) {
            throw bareLineFeed();
        }
        return lf - 1;
    }

    /**
     * RFC 9112 §2.2 allows a bare LF as a line end, but a proxy that reads lines differently
     * from the next hop is how responses get split; Netty's strict parsing refused it too.
     */
    private static IllegalArgumentException bareLineFeed() {
        return new IllegalArgumentException("line feed without carriage return");
    }

    /** HTAB, SP, visible ASCII and obs-text: what a field value or reason phrase may hold. */
    private static boolean fieldChar(byte b) {
        int c = b & 0xff;
        return c >= 0x20 ? c != 0x7f : c == HTAB;
    }

    private static boolean startsWith(byte[] h, String prefix) {
        return h.length >= prefix.length() && sameChars(h, 0, prefix);
    }

    private static boolean sameChars(byte[] h, int start, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (h[start + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean[] tokenChars() {
        boolean[] token = new boolean[256];
        for (int c = '0'; c <= '9'; c++) {
            token[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            token[c] = true;
            token[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            token[c] = true;
        }
        return token;
    }

    private record ParsedHead(HttpVersion version, HttpResponseStatus status, Fields fields) {}

    /** Header fields being split and checked, with what they say about framing. */
    private static final class Fields {
        final HttpHeaders headers = UNCHECKED.newHeaders();
        long contentLength = -1;
        /** The last Transfer-Encoding field's value: its last coding decides (RFC 9112 §6.3). */
        AsciiString transferEncoding;

        /** Splits, checks and adds the field on {@code h[start, end)}. */
        void add(byte[] h, int start, int end) {
            int i = start;
            while (i < end && TOKEN[h[i] & 0xff]) {
                i++;
            }
            int nameEnd = i;
            if (nameEnd == start) {
                throw new IllegalArgumentException(
                        h[start] == SP || h[start] == HTAB ? "obs-fold in a header" : "invalid header name");
            }
            // RFC 9112 §5.1: whitespace before the colon is removed from a response, not refused.
            while (i < end && (h[i] == SP || h[i] == HTAB)) {
                i++;
            }
            if (i == end || h[i] != ':') {
                throw new IllegalArgumentException("invalid header name");
            }
            i++;
            while (i < end && (h[i] == SP || h[i] == HTAB)) {
                i++;
            }
            int valueEnd = end;
            while (valueEnd > i && (h[valueEnd - 1] == SP || h[valueEnd - 1] == HTAB)) {
                valueEnd--;
            }
            for (int j = i; j < valueEnd; j++) {
                if (!fieldChar(h[j])) {
                    throw new IllegalArgumentException("invalid character in a header value");
                }
            }
            AsciiString name = HeaderNames.of(h, start, nameEnd - start);
            AsciiString value = new AsciiString(h, i, valueEnd - i, false);
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
        }

        boolean chunked() {
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
}
