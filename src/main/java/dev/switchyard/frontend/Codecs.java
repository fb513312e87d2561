package dev.switchyard.frontend;

import dev.switchyard.config.Limits;
import dev.switchyard.proxy.OwnHeaderNames;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The client side's decoder configuration (netty-notes §9). Backend responses are decoded by
 * {@code upstream.ResponseDecoder}, under the same header limit.
 */
public final class Codecs {

    /**
     * What a request line holds besides its target: the method, two spaces and "HTTP/1.1".
     * Registered methods are at most 17 characters (IANA HTTP Method Registry), so 64 is ample.
     */
    static final int REQUEST_LINE_ROOM = 64;

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

    private static final DefaultHeaders.NameValidator<CharSequence> NETTY_NAMES =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();

    /**
     * Netty's name check, except for the names the proxy sets itself: re-checking those char by
     * char on every forwarded request was 3.5 % of the profile (bench/README.md, fourth round).
     */
    private static final DefaultHeaders.NameValidator<CharSequence> NAMES = name -> {
        if (!OwnHeaderNames.contains(name)) {
            NETTY_NAMES.validateName(name);
        }
    };

    private static HttpDecoderConfig decoderConfig(int maxInitialLine, int maxHeaderSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true)
                // After setValidateHeaders, which would put Netty's own check back.
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withNameValidator(NAMES))
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }
}
