package dev.switchyard.frontend;

import static dev.switchyard.testkit.Embedded.ascii;
import static dev.switchyard.testkit.Embedded.feed;
import static dev.switchyard.testkit.Embedded.inbound;
import static dev.switchyard.testkit.Embedded.message;
import static dev.switchyard.testkit.Embedded.outbound;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.config.Limits;
import dev.switchyard.testkit.Embedded.Message;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request decoder against RFC 9112's request rules, fed whole and one byte at a time, and
 * against Netty's strict decoder on the same well-formed requests; and the encoder it tells
 * which answers are to a HEAD.
 */
class RequestDecoderTest {

    /** max-uri-length 300, max-header-size 1,000. */
    private static final Limits LIMITS = new Limits(1000, 300, 100, 0, 0, 0, 0, 100);

    private static final String BROWSER = "GET /category/shoes?page=2 HTTP/1.1\r\n"
            + "Host: shop.example\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)\r\n"
            + "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Cookie: session=7f3c9a; cart=3\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"131\"\r\n"
            + "X-Odd:   spaced  value \t\r\n"
            + "\r\n";

    private static final String[] WELL_FORMED = {
        BROWSER,
        "POST /cart HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        "POST /cart HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
        "PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "HEAD /x HTTP/1.1\r\nhost: x\r\nContent-Length: 0\r\n\r\n",
        "PROPFIND /dav HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://shop.example/a?b=c HTTP/1.1\r\nHost: shop.example\r\n\r\n",
    };

    @Test
    void decodesWellFormedRequestsAsNettysStrictDecoderDoes() {
        for (String request : WELL_FORMED) {
            Message netty = decode(new EmbeddedChannel(new HttpRequestDecoder(nettyConfig())), request, false);
            assertThat(netty.complete()).as(request).isTrue();
            assertThat(ours(request, false)).as(request).isEqualTo(netty);
            assertThat(ours(request, true)).as("byte by byte: " + request).isEqualTo(netty);
        }
    }

    @Test
    void aBrowsersHeadBecomesAsciiViewsThatReadAsStrings() {
        EmbeddedChannel channel = client();
        channel.writeInbound(ascii(BROWSER));
        HttpRequest request = channel.readInbound();
        assertThat(request.headers().get("cookie")).isEqualTo("session=7f3c9a; cart=3");
        assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.example");
        assertThat(HttpUtil.isKeepAlive(request)).isTrue();
        ReferenceCountUtil.release(channel.readInbound());
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GARBAGE\r\n\r\n",
                "GET / HTTP/9.x\r\nHost: x\r\n\r\n",
                "GET / FTP/1.1\r\nHost: x\r\n\r\n",
                "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
                "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n",
                "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\nHost: x\n\n",
                "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\na",
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            })
    void refusesAMalformedHeadWithAFailedRequestAndReadsNoFurther(String request) {
        for (boolean byteByByte : new boolean[] {false, true}) {
            EmbeddedChannel channel = client();
            feed(channel, request + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n", byteByByte);
            List<HttpObject> parts = inbound(channel);
            assertThat(parts).as(request).hasSize(1);
            HttpRequest failed = (HttpRequest) parts.get(0);
            assertThat(failed.decoderResult().isFailure()).as(request).isTrue();
            assertThat(failed.decoderResult().cause()).isInstanceOf(IllegalArgumentException.class);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestLineAtTheLimitPassesAndOneLongerIs414Material() {
        int limit = LIMITS.maxUriLength() + RequestDecoder.REQUEST_LINE_ROOM;
        String atLimit = "GET /" + "a".repeat(limit - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertThat(atLimit).hasSize(limit);
        assertThat(first(atLimit + "\r\nHost: x\r\n\r\n").decoderResult().isSuccess())
                .isTrue();
        String over = "GET /" + "a".repeat(limit) + " HTTP/1.1";
        assertThat(first(over + "\r\nHost: x\r\n\r\n").decoderResult().cause())
                .isInstanceOf(TooLongHttpLineException.class);
        assertThat(first(over).decoderResult().cause())
                .as("an endless line is refused before its end")
                .isInstanceOf(TooLongHttpLineException.class);
    }

    @Test
    void fieldLinesOverMaxHeaderSizeAre431Material() {
        String big = "X-Big: " + "v".repeat(LIMITS.maxHeaderSize());
        assertThat(first("GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n\r\n")
                        .decoderResult()
                        .cause())
                .isInstanceOf(TooLongHttpHeaderException.class);
        assertThat(first("GET / HTTP/1.1\r\nHost: x\r\n" + big + "v".repeat(500))
                        .decoderResult()
                        .cause())
                .as("an endless head is refused before its end")
                .isInstanceOf(TooLongHttpHeaderException.class);
    }

    @Test
    void aBrokenChunkOrAnEarlyCloseFailsTheBodyNotTheHead() {
        Message broken =
                ours("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", false);
        assertThat(broken.startLine()).isEqualTo("POST / HTTP/1.1");
        assertThat(broken.failure()).isInstanceOf(IllegalArgumentException.class);

        EmbeddedChannel channel = client();
        channel.writeInbound(ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf"));
        channel.finish();
        Message early = message(channel);
        assertThat(early.body()).isEqualTo("half");
        assertThat(early.failure()).isInstanceOf(PrematureChannelClosureException.class);
    }

    @Test
    void bodiesComeInPiecesOfAtMostMaxPiece() {
        int size = RequestDecoder.MAX_PIECE * 2 + 7;
        EmbeddedChannel channel = client();
        channel.writeInbound(
                ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n" + "b".repeat(size)));
        List<HttpObject> parts = inbound(channel);
        long total = 0;
        for (HttpObject part : parts) {
            if (part instanceof HttpContent content) {
                assertThat(content.content().readableBytes()).isLessThanOrEqualTo(RequestDecoder.MAX_PIECE);
                total += content.content().readableBytes();
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
        parts.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void moreUnansweredRequestsThanTheBoundFailTheOneOver() {
        EmbeddedChannel channel = client();
        channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(RequestDecoder.MAX_PIPELINED + 5)));
        List<HttpObject> parts = inbound(channel);
        long requests = parts.stream().filter(p -> p instanceof HttpRequest).count();
        assertThat(requests).isEqualTo(RequestDecoder.MAX_PIPELINED + 1);
        HttpObject last = parts.get(parts.size() - 1);
        assertThat(last).isInstanceOf(HttpRequest.class);
        assertThat(last.decoderResult().isFailure()).isTrue();
        parts.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void theAnswerToAHeadGetsNoBodyAndOthersDo() {
        RequestDecoder decoder = new RequestDecoder(LIMITS);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ResponseEncoder(decoder));
        channel.writeInbound(ascii("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        inbound(channel).forEach(ReferenceCountUtil::release);

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        DefaultHttpResponse toHead = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(toHead, true);
        channel.writeOutbound(toHead, LastHttpContent.EMPTY_LAST_CONTENT);
        DefaultHttpResponse toGet = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(toGet, true);
        channel.writeOutbound(toGet, LastHttpContent.EMPTY_LAST_CONTENT);
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        String written = outbound(channel);
        assertThat(written)
                .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\n\r\n");
        channel.finishAndReleaseAll();
    }

    // ---- helpers --------------------------------------------------------------------------

    private static HttpDecoderConfig nettyConfig() {
        return new HttpDecoderConfig()
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }

    private static EmbeddedChannel client() {
        return new EmbeddedChannel(new RequestDecoder(LIMITS));
    }

    private static HttpRequest first(String request) {
        EmbeddedChannel channel = client();
        channel.writeInbound(ascii(request));
        List<HttpObject> parts = inbound(channel);
        channel.finishAndReleaseAll();
        parts.subList(1, parts.size()).forEach(ReferenceCountUtil::release);
        return (HttpRequest) parts.get(0);
    }

    private static Message ours(String request, boolean byteByByte) {
        return decode(client(), request, byteByByte);
    }

    private static Message decode(EmbeddedChannel channel, String request, boolean byteByByte) {
        feed(channel, request, byteByByte);
        Message decoded = message(channel);
        channel.finishAndReleaseAll();
        return decoded;
    }
}
