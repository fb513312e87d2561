package dev.switchyard.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Bytes in and messages out of an {@link EmbeddedChannel}, for the codec tests. */
public final class Embedded {

    /**
     * One decoded message, comparable across decoders and feeding patterns: its start line
     * ("GET / HTTP/1.1", "HTTP/1.1 200 OK"), fields, body and trailers, whether its end came,
     * and the first failure if one did instead.
     */
    public record Message(
            String startLine, String headers, String body, String trailers, boolean complete, Throwable failure) {}

    private Embedded() {}

    /** Reads one message's parts, stopping at its end or its first failure; releases them all. */
    public static Message message(EmbeddedChannel channel) {
        List<HttpObject> parts = inbound(channel);
        String startLine = null;
        String headers = null;
        StringBuilder body = new StringBuilder();
        String trailers = "";
        boolean complete = false;
        Throwable failure = null;
        for (HttpObject part : parts) {
            if (part.decoderResult().isFailure()) {
                failure = part.decoderResult().cause();
                break;
            }
            if (part instanceof HttpRequest request) {
                startLine = request.method() + " " + request.uri() + " " + request.protocolVersion();
            } else if (part instanceof HttpResponse response) {
                startLine = response.protocolVersion() + " " + response.status();
            }
            if (part instanceof HttpMessage head) {
                headers = fields(head.headers());
            }
            if (part instanceof HttpContent content) {
                body.append(content.content().toString(StandardCharsets.ISO_8859_1));
            }
            if (part instanceof LastHttpContent last) {
                trailers = fields(last.trailingHeaders());
                complete = true;
                break;
            }
        }
        parts.forEach(ReferenceCountUtil::release);
        return new Message(startLine, headers, body.toString(), trailers, complete, failure);
    }

    /** {@code text}'s bytes (ISO-8859-1, so any byte can be written as a char). */
    public static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code text} inbound, whole or one byte per read. */
    public static void feed(EmbeddedChannel channel, String text, boolean byteByByte) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (byteByByte) {
            for (byte b : bytes) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
        } else {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        }
    }

    /** Every message decoded so far; the caller releases them. */
    public static List<HttpObject> inbound(EmbeddedChannel channel) {
        List<HttpObject> parts = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            parts.add((HttpObject) o);
        }
        return parts;
    }

    /** Every byte written outbound so far, as text; the buffers are released. */
    public static String outbound(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object message; (message = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) message;
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    /** "name=value, name=value", in order: comparable across header implementations. */
    public static String fields(HttpHeaders headers) {
        List<String> fields = new ArrayList<>();
        headers.iteratorCharSequence().forEachRemaining(e -> fields.add(e.getKey() + "=" + e.getValue()));
        return String.join(", ", fields);
    }
}
