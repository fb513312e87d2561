package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The decoder configurations of both codecs (netty-notes §9): one set of parsing rules on the
 * way in and on the way out, differing only in how long a first line may be.
 */
public final class Codecs {

    /**
     * What a request line holds besides its target: the method, two spaces and "HTTP/1.1".
     * Registered methods are at most 17 characters (IANA HTTP Method Registry), so 64 is ample.
     */
    static final int REQUEST_LINE_ROOM = 64;

    /** A status line is a version, a code and a short reason phrase: 8 KiB is lavish. */
    static final int MAX_STATUS_LINE = 8192;

    /** The largest body piece decoded at once; not a body limit, bodies stream. */
    static final int MAX_CHUNK = 32 * 1024;

    private Codecs() {}

    /**
     * The client side. The decoder's line limit is a hard stop just above
     * {@code limits.max-uri-length}, so an endless request line is never buffered; the exact
     * target length is checked on the decoded head ({@link RequestCheck}). Both give 414.
     */
    public static HttpDecoderConfig requestDecoderConfig(Limits limits) {
        return decoderConfig(limits.maxUriLength() + REQUEST_LINE_ROOM, limits.maxHeaderSize());
    }

    /** The backend side: the same header limit as for requests, a fixed status-line limit. */
    public static HttpDecoderConfig responseDecoderConfig(int maxHeaderSize) {
        return decoderConfig(MAX_STATUS_LINE, maxHeaderSize);
    }

    private static HttpDecoderConfig decoderConfig(int maxInitialLine, int maxHeaderSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }
}
