package dev.switchyard.health;

import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code type = http}: {@code GET path} with the configured Host (or the server's address),
 * {@code Connection: close}; passes on 2xx or 3xx, or on a listed expected status. Only the
 * status line matters: the body is released unread as the connection closes.
 */
final class HttpProbe implements Probe {

    private final Transport transport;
    private final Duration timeout;
    private final String path;
    private final String host;
    private final List<Integer> expectedStatuses;

    HttpProbe(Transport transport, Duration timeout, String path, String host, List<Integer> expectedStatuses) {
        this.transport = transport;
        this.timeout = timeout;
        this.path = path;
        this.host = host;
        this.expectedStatuses = List.copyOf(expectedStatuses);
    }

    @Override
    public CompletionStage<ProbeResult> check(Server server, EventLoop loop) {
        ProbeConnection connection = new ProbeConnection(timeout);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new StatusReader(connection));
            }
        };
        return connection.open(transport, server, loop, pipeline, () -> {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            request.headers()
                    .set(HttpHeaderNames.HOST, host != null ? host : server.label())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "switchyard-health-check")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            connection.channel().writeAndFlush(request);
        });
    }

    boolean passes(int status) {
        if (expectedStatuses.isEmpty()) {
            return status >= 200 && status < 400;
        }
        return expectedStatuses.contains(status);
    }

    /** Reads the status line, decides, and releases whatever else arrives. */
    private final class StatusReader extends ChannelInboundHandlerAdapter {
        private final ProbeConnection connection;

        StatusReader(ProbeConnection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    if (response.decoderResult().isFailure()) {
                        connection.finish(ProbeResult.fail("invalid response"));
                        return;
                    }
                    int status = response.status().code();
                    if (status >= 100 && status < 200) {
                        return;
                    }
                    connection.finish(
                            passes(status)
                                    ? ProbeResult.pass("status " + status)
                                    : ProbeResult.fail("status " + status));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connection.finish(ProbeResult.fail("connection closed before a response"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connection.finish(ProbeResult.fail(ProbeConnection.reasonOf(cause)));
        }
    }
}
