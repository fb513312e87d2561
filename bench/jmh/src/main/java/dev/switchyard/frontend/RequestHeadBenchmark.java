package dev.switchyard.frontend;

import dev.switchyard.bench.Heads;
import dev.switchyard.config.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
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
 * What a request head costs from the client's bytes to the bytes written upstream: decoded,
 * given the proxy's own fields (X-Forwarded-For, -Proto, X-Request-Id; hop-by-hop Connection
 * out) and encoded by Netty's request encoder, as on the proxy's keep-alive connections.
 * {@code netty} decodes with Netty's strict {@code HttpRequestDecoder} configured as the proxy
 * configured it before {@link RequestDecoder} (its name check skipping the proxy's own
 * constant names); {@code switchyard} with {@link RequestDecoder}. The rewrite and the encoder
 * are the same for both. {@code head}: wrk's bare GET, or a browser's 1 KiB page request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestHeadBenchmark {

    private static final String MINIMAL = Heads.MINIMAL;

    private static final String BROWSER = Heads.BROWSER;

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("X-Request-Id");
    private static final AsciiString[] OWN = {X_FORWARDED_FOR, X_FORWARDED_PROTO, X_REQUEST_ID};

    private static final Limits LIMITS = new Limits(16_384, 8_192, 100, 0, 0, 0, 0, 100);

    @Param({"netty", "switchyard"})
    public String decoder;

    @Param({"minimal", "browser"})
    public String head;

    private ByteBuf bytes;
    /** Ours, told each request is answered as its ResponseEncoder would; null for Netty's. */
    private RequestDecoder ours;
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;

    @Setup(Level.Trial)
    public void setUp() {
        String text = head.equals("browser") ? BROWSER : MINIMAL;
        bytes = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII)));
        ours = decoder.equals("netty") ? null : new RequestDecoder(LIMITS);
        client = new EmbeddedChannel(ours == null ? nettyDecoder() : ours);
        upstream = new EmbeddedChannel(new HttpRequestEncoder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Benchmark
    public int forwardOneHead() {
        client.writeInbound(bytes.duplicate());
        HttpRequest request = client.readInbound();
        Object end = client.readInbound();
        HttpHeaders headers = request.headers();
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.set(X_FORWARDED_FOR, "127.0.0.1");
        headers.set(X_FORWARDED_PROTO, "http");
        headers.set(X_REQUEST_ID, "5f0c6a8e2b7d4e91");
        upstream.writeOutbound(request, end);
        if (ours != null) {
            ours.answering();
        }
        int written = 0;
        for (Object out; (out = upstream.readOutbound()) != null; ) {
            written += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return written;
    }

    /** The decoder's share of {@link #forwardOneHead}: the head decoded and dropped. */
    @Benchmark
    public int decodeOneHead() {
        client.writeInbound(bytes.duplicate());
        HttpRequest request = client.readInbound();
        Object end = client.readInbound();
        if (ours != null) {
            ours.answering();
        }
        int fields = request.headers().size();
        ReferenceCountUtil.release(end);
        return fields;
    }

    /** Netty's decoder as the proxy's former {@code Codecs} configured it. */
    private static HttpRequestDecoder nettyDecoder() {
        DefaultHeaders.NameValidator<CharSequence> netty =
                DefaultHttpHeadersFactory.headersFactory().getNameValidator();
        DefaultHeaders.NameValidator<CharSequence> names = name -> {
            for (AsciiString own : OWN) {
                if (own == name) {
                    return;
                }
            }
            netty.validateName(name);
        };
        return new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(8_192 + 64)
                .setMaxHeaderSize(16_384)
                .setMaxChunkSize(32 * 1024)
                .setValidateHeaders(true)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withNameValidator(names))
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true));
    }
}
