package dev.switchyard.http;

import static dev.switchyard.http.Syntax.CR;
import static dev.switchyard.http.Syntax.HTAB;
import static dev.switchyard.http.Syntax.LF;
import static dev.switchyard.http.Syntax.SP;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Decodes HTTP/1.x messages into Netty's message objects, a head, its body in pieces and its
 * end, as Netty's {@code HttpObjectDecoder} does, for less work per message: a head is copied
 * once into one array, checked byte by byte against RFC 9112's grammar in the pass that splits
 * it ({@link HeaderFields}), and its names and values are views of that array. A subclass
 * reads the start line and decides the body's framing; the body (a length, chunked, or to the
 * close) and the trailers are decoded here.
 *
 * <p>Why not Netty's decoders: they turn every header value into a {@code String}, hash and
 * validate names and values char by char, and the next hop's encoder copies the values back
 * char by char; on small messages that was the largest single cost of the proxy
 * (bench/README.md, "Issue 5, fourth round" for responses, "eleventh round" for requests).
 *
 * <p>A failure ends decoding: what the subclass makes of it is passed on, nothing after it is
 * decoded, and the connection is not to be reused. A close before the end of a framed body is
 * a failed {@link LastHttpContent}, never mistaken for a complete message. Event-loop confined,
 * one per connection.
 */
public abstract class Http1Decoder extends ByteToMessageDecoder {

    /** What {@link #head} returns for a chunked body. */
    protected static final long CHUNKED = -1;
    /** What {@link #head} returns for a body that ends with the connection (responses only). */
    protected static final long UNTIL_CLOSE = -2;

    /** A chunk-size line: hex digits, and extensions that no peer makes long. */
    private static final int MAX_CHUNK_SIZE_LINE = 4096;

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

    private final boolean requests;
    private final int maxStartLine;
    private final int maxHeaderSize;
    private final int maxPiece;

    private State state = State.HEAD;
    /** Body bytes still to come: of the whole body (FIXED) or of the current chunk. */
    private long remaining;
    /** How far the search for the end of a head or trailer section got, from the reader index. */
    private int scanned;

    /**
     * @param requests      requests (field lines are read as {@link HeaderFields} says of them), or responses
     * @param maxStartLine  the longest request or status line, CRLF excluded
     * @param maxHeaderSize the most bytes of field lines in a head, and of trailers
     * @param maxPiece      the largest body piece passed on at once; not a body limit
     */
    protected Http1Decoder(boolean requests, int maxStartLine, int maxHeaderSize, int maxPiece) {
        this.requests = requests;
        this.maxStartLine = maxStartLine;
        this.maxHeaderSize = maxHeaderSize;
        this.maxPiece = maxPiece;
    }

    /**
     * Reads a complete head (its start line to its empty line), adds its message to {@code out}
     * and says how its body is framed: its length (0 for none), {@link #CHUNKED} or
     * {@link #UNTIL_CLOSE}. Throws {@link IllegalArgumentException} for what it refuses.
     */
    protected abstract long head(byte[] head, List<Object> out);

    /** The message that reports {@code cause}: it came in a head, or in a body. */
    protected abstract HttpObject failure(boolean inHead, Exception cause);

    /** Where the start line of {@code head} ends (its CR); refuses one over the limit. */
    protected final int startLineEnd(byte[] head) {
        int end = Syntax.lineEnd(head, 0, Syntax.indexOf(head, 0, LF));
        if (end > maxStartLine) {
            throw new TooLongHttpLineException("start line longer than " + maxStartLine + " bytes");
        }
        return end;
    }

    /** The field lines after the start line ending at {@code startLineEnd}. */
    protected final HeaderFields fields(byte[] head, int startLineEnd) {
        return HeaderFields.parse(head, startLineEnd + 2, maxHeaderSize, requests);
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
    protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        switch (state) {
            case UNTIL_CLOSE:
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                state = State.HEAD;
                break;
            case FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS:
                fail(in, out, new PrematureChannelClosureException("connection closed before the message's end"));
                break;
            default:
                // Between messages, or within a head: nothing to pass on. The handler after
                // this one hears of the close from the connection itself.
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
            if (have > maxStartLine + 1 && in.indexOf(start, start + maxStartLine + 2, LF) < 0) {
                throw new TooLongHttpLineException("start line longer than " + maxStartLine + " bytes");
            }
            if (have > maxStartLine + 2 + maxHeaderSize) {
                throw new TooLongHttpHeaderException("head larger than " + maxHeaderSize + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - start];
        in.readBytes(head);
        long framing = head(head, out);
        if (framing == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (framing > 0) {
            state = State.FIXED;
            remaining = framing;
        } else if (framing == CHUNKED) {
            state = State.CHUNK_SIZE;
        } else {
            state = State.UNTIL_CLOSE;
        }
        return true;
    }

    /** RFC 9112 §2.2: a recipient may skip empty lines before a message (some peers send them). */
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
     * head or trailers, whose first line is not empty), or -1 if it has not all arrived. Line by
     * line with {@code indexOf}, which scans eight bytes at a step.
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

    /** The bytes still to come of a Content-Length body being decoded, or -1 outside one. */
    public final long fixedBodyLeft() {
        return state == State.FIXED ? remaining : -1;
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
            throw Syntax.bareLineFeed();
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
            if (!Syntax.isFieldChar(in.getByte(i))) {
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

    /** The next piece of the body or chunk, as a slice: at most maxPiece, never past its end. */
    private ByteBuf nextPiece(ByteBuf in) {
        int n = (int) Math.min(Math.min(remaining, in.readableBytes()), maxPiece);
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
        HttpHeaders trailers =
                HeaderFields.parse(section, 0, maxHeaderSize, requests).headers();
        // Framing fields are meaningless, and dangerous, in a trailer section (RFC 9110 §6.5.1).
        trailers.remove(HttpHeaderNames.CONTENT_LENGTH);
        trailers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        trailers.remove(HttpHeaderNames.TRAILER);
        state = State.HEAD;
        out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        return true;
    }

    private void fail(ByteBuf in, List<Object> out, Exception cause) {
        boolean inHead = state == State.HEAD;
        state = State.BROKEN;
        in.skipBytes(in.readableBytes());
        out.add(failure(inHead, cause));
    }

    /**
     * Not shared: a decoder keeps state. A constant, because Netty's default looks the
     * annotation up in a per-thread WeakHashMap on every pipeline add, once per handler of
     * every new connection.
     */
    @Override
    public boolean isSharable() {
        return false;
    }
}
