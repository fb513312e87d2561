package dev.switchyard.proxy;

import dev.switchyard.bench.Heads;
import dev.switchyard.config.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Both heads of one keep-alive exchange through the proxy's own codecs and rewrite, as the
 * event loop runs them: the client's request decoded ({@code RequestDecoder}), rewritten for
 * the backend ({@link RequestPlan#prepare}: hop-by-hop out, X-Forwarded-*, X-Request-Id),
 * coalesced and encoded ({@code RequestEncoder}); then nginx's answer decoded
 * ({@code ResponseDecoder}), rewritten for the client ({@link RequestPlan#rewriteResponse}),
 * coalesced and encoded ({@code ResponseEncoder}). No sockets, no pipeline of the real proxy:
 * the per-exchange header work alone, so a change to it shows as nanoseconds instead of
 * drowning in a loaded machine's noise. {@code head}: wrk's bare GET or a browser's 1 KiB
 * page request; the answer is the benchmark backend's 100 B one, with nginx's own fields.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ExchangeHeadsBenchmark {

    private static final String MINIMAL = Heads.MINIMAL;

    /** The browser's head with the {@code Connection: keep-alive} a browser sends over HTTP/1.1. */
    private static final String BROWSER =
            Heads.BROWSER.replace("Host: shop.example\r\n", "Host: shop.example\r\nConnection: keep-alive\r\n");

    /** What the perf benchmark's nginx backend answers to GET /small. */
    private static final String ANSWER = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Fri, 27 Nov 2026 08:30:00 GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 100\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n"
            + "x".repeat(100);

    private static final Limits LIMITS = new Limits(16_384, 8_192, 100, 0, 0, 0, 0, 100);

    @Param({"minimal", "browser"})
    public String head;

    private ByteBuf request;
    private ByteBuf answer;
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException {
        String text = head.equals("browser") ? BROWSER : MINIMAL;
        request = unreleasable(text);
        answer = unreleasable(ANSWER);
        // The codecs are package-private in their packages, as in the proxy; built once here.
        ChannelHandler requestDecoder =
                create("dev.switchyard.frontend.RequestDecoder", new Class<?>[] {Limits.class}, LIMITS);
        ChannelHandler responseEncoder = create(
                "dev.switchyard.frontend.ResponseEncoder", new Class<?>[] {requestDecoder.getClass()}, requestDecoder);
        ChannelHandler responseDecoder =
                create("dev.switchyard.upstream.ResponseDecoder", new Class<?>[] {int.class}, 16_384);
        ChannelHandler requestEncoder = create(
                "dev.switchyard.upstream.RequestEncoder", new Class<?>[] {responseDecoder.getClass()}, responseDecoder);
        client = new EmbeddedChannel(requestDecoder, responseEncoder);
        upstream = new EmbeddedChannel(responseDecoder, requestEncoder);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Benchmark
    public int oneExchange() {
        client.writeInbound(request.duplicate());
        HttpRequest head = client.readInbound();
        LastHttpContent end = client.readInbound();
        RequestPlan plan = RequestPlan.prepare(head, "127.0.0.1", "http");
        upstream.writeOutbound(Coalesced.request(head, end));
        int written = drain(upstream);

        upstream.writeInbound(answer.duplicate());
        HttpResponse response = upstream.readInbound();
        LastHttpContent body = upstream.readInbound();
        plan.rewriteResponse(response, true, false);
        client.writeOutbound(Coalesced.response(response, body));
        return written + drain(client);
    }

    private static int drain(EmbeddedChannel channel) {
        int written = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            written += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return written;
    }

    private static ByteBuf unreleasable(String text) {
        return Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII)));
    }

    private static ChannelHandler create(String className, Class<?>[] parameters, Object... arguments)
            throws ReflectiveOperationException {
        Constructor<?> constructor = Class.forName(className).getDeclaredConstructor(parameters);
        constructor.setAccessible(true);
        return (ChannelHandler) constructor.newInstance(arguments);
    }
}
