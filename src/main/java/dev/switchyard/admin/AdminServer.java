package dev.switchyard.admin;

import dev.switchyard.metrics.Metrics;
import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.upstream.Pool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint: {@code GET /status} as JSON, {@code GET /metrics} for Prometheus, and
 * {@code GET /} a live status page. It runs on its own single thread, apart
 * from the proxy's loops, so it answers even when they are saturated (architecture.md).
 * Admin requests are tiny and rare, so unlike the data path this one aggregates them.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_ADMIN_REQUEST = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static AdminServer start(
            String host,
            int port,
            Supplier<Collection<Pool>> pools,
            Supplier<ProxyMetrics> proxyMetrics,
            Metrics metrics,
            LongSupplier wallClockMillis,
            AdminActions actions,
            String token)
            throws InterruptedException {
        AdminToken guard = new AdminToken(token);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new HttpObjectAggregator(MAX_ADMIN_REQUEST),
                                            new AdminHandler(
                                                    pools, proxyMetrics, metrics, wallClockMillis, actions, guard));
                        }
                    })
                    .bind(host, port)
                    .sync()
                    .channel();
            log.info("admin endpoint bound to {}", channel.localAddress());
            return new AdminServer(group, channel);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Bounded: a shutdown must never hang on the admin thread (seen once while testing).
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Routes admin paths; releases every request (SimpleChannelInboundHandler). */
    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<Collection<Pool>> pools;
        private final Supplier<ProxyMetrics> proxyMetrics;
        private final Metrics metrics;
        private final LongSupplier wallClockMillis;
        private final AdminActions actions;
        private final AdminToken token;

        AdminHandler(
                Supplier<Collection<Pool>> pools,
                Supplier<ProxyMetrics> proxyMetrics,
                Metrics metrics,
                LongSupplier wallClockMillis,
                AdminActions actions,
                AdminToken token) {
            this.actions = actions;
            this.token = token;
            this.pools = pools;
            this.proxyMetrics = proxyMetrics;
            this.metrics = metrics;
            this.wallClockMillis = wallClockMillis;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n");
            } else if (HttpMethod.POST.equals(request.method())) {
                if (token.admits(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                    post(ctx, request, path);
                } else {
                    log.warn(
                            "admin: refused POST {} from {}: missing or wrong token",
                            path,
                            ctx.channel().remoteAddress());
                    FullHttpResponse refusal = response(
                            request, HttpResponseStatus.UNAUTHORIZED, "text/plain", "missing or wrong admin token\n");
                    refusal.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"switchyard-admin\"");
                    send(ctx, request, refusal);
                }
            } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET or POST\n");
            } else if ("/status".equals(path)) {
                respond(
                        ctx,
                        request,
                        HttpResponseStatus.OK,
                        "application/json",
                        StatusJson.render(pools.get(), proxyMetrics.get(), wallClockMillis.getAsLong()));
            } else if ("/metrics".equals(path)) {
                respond(
                        ctx,
                        request,
                        HttpResponseStatus.OK,
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape());
            } else if ("/".equals(path)) {
                respond(ctx, request, HttpResponseStatus.OK, "text/html; charset=utf-8", StatusPage.html());
            } else {
                respond(
                        ctx,
                        request,
                        HttpResponseStatus.NOT_FOUND,
                        "text/plain",
                        "admin paths: /, /status, /metrics\n");
            }
        }

        /** POST /reload, POST /pools/{pool}/servers/{address}/drain and …/enable. */
        // String.split drops trailing empty strings, which is wanted here: ".../drain/" with a
        // trailing slash names the same action, as it always has.
        @SuppressWarnings("StringSplitter")
        private void post(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
            String[] parts = path.split("/");
            try {
                String result;
                if ("/reload".equals(path)) {
                    result = actions.reload();
                } else if (parts.length == 6
                        && parts[1].equals("pools")
                        && parts[3].equals("servers")
                        && (parts[5].equals("drain") || parts[5].equals("enable"))) {
                    String pool = QueryStringDecoder.decodeComponent(parts[2]);
                    String server = QueryStringDecoder.decodeComponent(parts[4]);
                    result = parts[5].equals("drain") ? actions.drain(pool, server) : actions.enable(pool, server);
                } else {
                    respond(
                            ctx,
                            request,
                            HttpResponseStatus.NOT_FOUND,
                            "text/plain",
                            "POST paths: /reload, /pools/{pool}/servers/{address}/drain, .../enable\n");
                    return;
                }
                respond(ctx, request, HttpResponseStatus.OK, "text/plain", result + "\n");
            } catch (AdminActions.ActionFailed e) {
                respond(
                        ctx,
                        request,
                        e.notFound() ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.BAD_REQUEST,
                        "text/plain",
                        e.getMessage() + "\n");
            }
        }

        private static void respond(
                ChannelHandlerContext ctx,
                FullHttpRequest request,
                HttpResponseStatus status,
                String type,
                String text) {
            send(ctx, request, response(request, status, type, text));
        }

        private static FullHttpResponse response(
                FullHttpRequest request, HttpResponseStatus status, String type, String text) {
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
            return response;
        }

        private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
            boolean keepAlive =
                    HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
