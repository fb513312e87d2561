package dev.switchyard.testkit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small Netty backend for integration tests that names itself ({@code X-Backend: sN}, as
 * HAProxy's reg-tests do) and records what reached it. Paths choose behaviour:
 * <ul>
 *   <li>{@code /echo}: streams the request body back, chunk by chunk, chunked;</li>
 *   <li>{@code /upload}: answers the body's length and sha256;</li>
 *   <li>{@code /download?bytes=N[&chunked=1]}: streams N deterministic bytes, honouring back-pressure;</li>
 *   <li>{@code /slow?ms=N}: answers after N ms;</li>
 *   <li>{@code /close}: closes without answering; {@code /truncate}: promises 1000 bytes, sends 10, closes;</li>
 *   <li>{@code /first-only}: answers the first request of a connection, closes on later ones;</li>
 *   <li>{@code /health}: 200 or 503 as {@link #setHealthy} says, counted apart from other requests;</li>
 *   <li>{@code /hop}: an answer full of hop-by-hop headers;</li>
 *   <li>{@code /unframed}: a body delimited by the close; {@code /status?code=N}: that status;</li>
 *   <li>{@code /continue}: answers {@code Expect: 100-continue} with 100 before reading the body;</li>
 *   <li>{@code /pause?ms=N}: stops reading for N ms after the head (back-pressure on the
 *       sender), then reads the body and answers like {@code /upload};</li>
 *   <li>anything else: 200 with the backend's name as the body.</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable {

    /** One request as the backend saw it. */
    public record Seen(String method, String uri, HttpHeaders headers) {}

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<Channel, Boolean> open = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean healthy =
            new java.util.concurrent.atomic.AtomicBoolean(true);
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong downloadBytesSent =
            new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bodyBytesReceived =
            new java.util.concurrent.atomic.AtomicLong();

    private TestBackend(String name) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        open.put(ch, Boolean.TRUE);
                        ch.closeFuture().addListener(f -> open.remove(ch));
                        ch.pipeline().addLast(new HttpServerCodec(), new Behaviour());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public List<Seen> seen() {
        return seen;
    }

    /** What /health answers from now on: 200 when healthy, 503 when not. */
    public void setHealthy(boolean value) {
        healthy.set(value);
    }

    /** Health probes received (they are not in {@link #seen()}). */
    public int healthChecks() {
        return healthChecks.get();
    }

    /** Body bytes /download has handed to its socket so far, across all requests. */
    public long downloadBytesSent() {
        return downloadBytesSent.get();
    }

    /** Request body bytes received so far, across all requests and connections. */
    public long bodyBytesReceived() {
        return bodyBytesReceived.get();
    }

    /** TCP connections open now: whether the proxy closed or kept the ones it used. */
    public int openConnections() {
        return open.size();
    }

    /** TCP connections accepted so far: tells keep-alive reuse from a connection per request. */
    public int connectionsAccepted() {
        return connections.get();
    }

    /** Stops listening and drops every open connection, like a crashed server. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        open.keySet().forEach(Channel::close);
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    static byte[] pattern(long offset, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            long n = offset + i;
            bytes[i] = (byte) ((n * 31 + (n >>> 8) * 7) & 0xff);
        }
        return bytes;
    }

    /** Bytes {@code offset..offset+length} of every /download body, for comparison. */
    public static byte[] downloadBytesAt(long offset, int length) {
        return pattern(offset, length);
    }

    /** The bytes /download?bytes=N sends, for comparison. */
    public static byte[] downloadBytes(int length) {
        return pattern(0, length);
    }

    private final class Behaviour extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private String path;
        private MessageDigest digest;
        private long received;
        private boolean echoing;
        private int requestsOnConnection;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest head) {
                onHead(ctx, head);
            }
            if (msg instanceof HttpContent content) {
                try {
                    onContent(ctx, content);
                } finally {
                    content.release();
                }
            }
        }

        private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
            request = head;
            path = new QueryStringDecoder(head.uri()).path();
            if ("/health".equals(path)) {
                healthChecks.incrementAndGet();
            } else {
                seen.add(new Seen(
                        head.method().name(), head.uri(), head.headers().copy()));
            }
            received = 0;
            digest = sha256();
            echoing = false;
            requestsOnConnection++;
            if ("/first-only".equals(path) && requestsOnConnection > 1) {
                // Like a keep-alive timeout racing a reused connection: gone before answering.
                path = "/close";
            }
            switch (path) {
                case "/close" -> ctx.close();
                case "/pause" -> {
                    ctx.channel().config().setAutoRead(false);
                    long ms = Long.parseLong(param(new QueryStringDecoder(head.uri()), "ms", "1000"));
                    ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), ms, TimeUnit.MILLISECONDS);
                }
                case "/continue" -> {
                    if (HttpUtil.is100ContinueExpected(head)) {
                        ctx.writeAndFlush(
                                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                    }
                }
                case "/echo" -> {
                    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers().set("X-Backend", name);
                    HttpUtil.setTransferEncodingChunked(response, true);
                    ctx.writeAndFlush(response);
                    echoing = true;
                }
                default -> {}
            }
        }

        private void onContent(ChannelHandlerContext ctx, HttpContent content) {
            ByteBuf data = content.content();
            received += data.readableBytes();
            bodyBytesReceived.addAndGet(data.readableBytes());
            if (echoing) {
                if (data.isReadable()) {
                    ctx.write(new DefaultHttpContent(data.retainedDuplicate()));
                }
                if (content instanceof LastHttpContent) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                } else {
                    ctx.flush();
                }
                return;
            }
            byte[] bytes = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), bytes);
            digest.update(bytes);
            if (content instanceof LastHttpContent && !"/close".equals(path)) {
                answer(ctx);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            switch (path) {
                case "/upload", "/pause" ->
                    send(
                            ctx,
                            HttpResponseStatus.OK,
                            received + " " + HexFormat.of().formatHex(digest.digest()) + "\n");
                case "/slow" ->
                    ctx.executor()
                            .schedule(
                                    () -> send(ctx, HttpResponseStatus.OK, name + "\n"),
                                    Long.parseLong(param(query, "ms", "1000")),
                                    TimeUnit.MILLISECONDS);
                case "/status" ->
                    send(ctx, HttpResponseStatus.valueOf(Integer.parseInt(param(query, "code", "200"))), name + "\n");
                case "/download" ->
                    new Download(
                                    ctx,
                                    Long.parseLong(param(query, "bytes", "0")),
                                    "1".equals(param(query, "chunked", "0")))
                            .start();
                case "/truncate" -> {
                    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers()
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, 1000)
                            .set("X-Backend", name);
                    ctx.write(response);
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(pattern(0, 10))))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                case "/health" ->
                    send(
                            ctx,
                            healthy.get() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            healthy.get() ? "ok\n" : "sick\n");
                case "/hop" -> {
                    FullHttpResponse response = new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK,
                            Unpooled.copiedBuffer("hop\n", StandardCharsets.UTF_8));
                    response.headers()
                            .set("X-Backend", name)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, 4)
                            .set(HttpHeaderNames.CONNECTION, "keep-alive, X-Internal-Route")
                            .set("X-Internal-Route", "rack-7")
                            .set("Keep-Alive", "timeout=5")
                            .set("Upgrade", "h2c")
                            .set("Trailer", "X-Checksum")
                            .set("Proxy-Authenticate", "Basic realm=\"shop\"");
                    ctx.writeAndFlush(response);
                }
                case "/unframed" -> {
                    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers().set(HttpHeaderNames.CONNECTION, "close").set("X-Backend", name);
                    ctx.write(response);
                    ctx.writeAndFlush(new DefaultHttpContent(
                                    Unpooled.copiedBuffer("unframed body from " + name, StandardCharsets.UTF_8)))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                default -> send(ctx, HttpResponseStatus.OK, name + "\n");
            }
        }

        private void send(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            response.headers().set("X-Backend", name).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response);
        }
    }

    private static String param(QueryStringDecoder query, String key, String fallback) {
        List<String> values = query.parameters().get(key);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams a large body only as fast as the proxy reads it, so the backend holds little. */
    private final class Download extends ChannelInboundHandlerAdapter {
        private static final int PIECE = 16 * 1024;
        private final ChannelHandlerContext ctx;
        private final long total;
        private final boolean chunked;
        private long sent;

        Download(ChannelHandlerContext ctx, long total, boolean chunked) {
            this.ctx = ctx;
            this.total = total;
            this.chunked = chunked;
        }

        void start() {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set("X-Backend", name);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                HttpUtil.setContentLength(response, total);
            }
            ctx.write(response);
            ctx.pipeline().addLast(this);
            pump();
        }

        private void pump() {
            while (sent < total && ctx.channel().isWritable()) {
                int n = (int) Math.min(PIECE, total - sent);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(pattern(sent, n))));
                sent += n;
                downloadBytesSent.addAndGet(n);
            }
            if (sent >= total) {
                ctx.pipeline().remove(this);
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ignored) {
            if (ctx.channel().isWritable() && sent < total) {
                pump();
            }
        }
    }
}
