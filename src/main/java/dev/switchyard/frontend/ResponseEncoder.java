package dev.switchyard.frontend;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Netty's response encoder, told by the connection's {@link RequestDecoder} which request each
 * final response answers: the answer to a HEAD carries its Content-Length or chunked framing
 * but no body, so the encoder must not write one (no chunked terminator either). The pair does
 * what {@code HttpServerCodec} did, without its combined-handler indirection on every event.
 */
final class ResponseEncoder extends HttpResponseEncoder {

    private final RequestDecoder decoder;

    ResponseEncoder(RequestDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // 100 Continue and friends precede the final answer; they answer no request alone.
            return super.isContentAlwaysEmpty(msg);
        }
        return HttpMethod.HEAD.equals(decoder.answering()) || super.isContentAlwaysEmpty(msg);
    }

    /**
     * Not shared. A constant, because Netty's default looks the annotation up in a per-thread
     * WeakHashMap on every pipeline add, once per handler of every new connection.
     */
    @Override
    public boolean isSharable() {
        return false;
    }
}
