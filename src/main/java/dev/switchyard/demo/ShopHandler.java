package dev.switchyard.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * One demo shop server's answer: its name, the path asked for, and a count of the body bytes
 * it received. Small demo bodies only; counts rather than keeps them.
 */
final class ShopHandler extends SimpleChannelInboundHandler<HttpObject> {

    private final String name;
    private HttpRequest request;
    private long bodyBytes;

    ShopHandler(String name) {
        this.name = name;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpRequest head) {
            request = head;
            bodyBytes = 0;
        }
        if (msg instanceof HttpContent content) {
            bodyBytes += content.content().readableBytes();
        }
        if (msg instanceof LastHttpContent && request != null) {
            String text = "Hello from " + name + ": " + request.method() + " " + request.uri()
                    + (bodyBytes > 0 ? " (" + bodyBytes + " body bytes received)" : "") + "\n";
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .set("X-Backend", name)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(response);
            request = null;
        }
    }
}
