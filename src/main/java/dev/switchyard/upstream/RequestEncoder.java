package dev.switchyard.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.util.List;

/**
 * Netty's request encoder, telling the connection's {@link ResponseDecoder} the method of each
 * request it writes: the answer to a HEAD has a Content-Length but no body. The pair does what
 * {@code HttpClientCodec} did without its combined-handler indirection on every event.
 */
final class RequestEncoder extends HttpRequestEncoder {

    private final ResponseDecoder decoder;

    RequestEncoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
        if (msg instanceof HttpRequest request) {
            decoder.requestSent(request.method());
        }
        super.encode(ctx, msg, out);
    }
}
