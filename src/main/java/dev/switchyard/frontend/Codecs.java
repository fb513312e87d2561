package dev.switchyard.frontend;

import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The one decoder configuration both codecs use (netty-notes §9), so a message is parsed by
 * the same rules on the way in and on the way out.
 */
public final class Codecs {

    /** Longer request lines get 414: long query strings are common, 8 KiB is nginx's default too. */
    static final int MAX_INITIAL_LINE = 8192;

    /** The largest body piece decoded at once; not a body limit, bodies stream. */
    static final int MAX_CHUNK = 32 * 1024;

    private Codecs() {}

    public static HttpDecoderConfig decoderConfig(int maxHeaderSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }
}
