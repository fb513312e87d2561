package dev.switchyard.upstream;

import static dev.switchyard.testkit.Embedded.ascii;
import static dev.switchyard.testkit.Embedded.feed;
import static dev.switchyard.testkit.Embedded.fields;
import static dev.switchyard.testkit.Embedded.inbound;
import static dev.switchyard.testkit.Embedded.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.http.HeaderNames;
import dev.switchyard.testkit.Embedded.Message;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The response decoder against RFC 9112's framing rules, fed whole and one byte at a time,
 * and against Netty's own decoder on the same well-formed responses.
 */
class ResponseDecoderTest {

    private static final String[] WELL_FORMED = {
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\ncontent-length: 3\r\nX-Odd:   spaced  value \t\r\n\r\nabc",
        "HTTP/1.1 404 Not Here\r\nContent-Length: 2\r\n\r\nno",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx",
        "HTTP/1.1 599 Custom Reason\r\nContent-Length: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\ny",
    };

    @Test
    void decodesWellFormedResponsesAsNettysDecoderDoes() {
        for (String response : WELL_FORMED) {
            Message netty = decode(new EmbeddedChannel(new HttpResponseDecoder()), response, false);
            assertThat(ours(response, false)).as(response).isEqualTo(netty);
            assertThat(ours(response, true)).as("byte by byte: " + response).isEqualTo(netty);
            assertThat(netty.complete()).as(response).isTrue();
        }
    }

    @Test
    void aBodyReadToTheCloseEndsCleanlyAtTheClose() {
        EmbeddedChannel channel = upstream(HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nServer: x\r\n\r\npart one,"));
        channel.writeInbound(ascii(" part two"));
        channel.finish();
        Message decoded = message(channel);
        assertThat(decoded.body()).isEqualTo("part one, part two");
        assertThat(decoded.complete()).isTrue();
        assertThat(decoded.failure()).isNull();
    }

    @Test
    void theAnswerToHeadHasNoBodyWhateverItsContentLength() {
        EmbeddedChannel channel = upstream(HttpMethod.HEAD, HttpMethod.GET);
        channel.writeInbound(ascii(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        List<HttpObject> parts = inbound(channel);
        assertThat(parts).hasSize(4);
        assertThat(parts.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(((HttpContent) parts.get(3)).content().toString(StandardCharsets.US_ASCII))
                .isEqualTo("ok");
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void anInterimResponseDoesNotUseUpTheRequestsMethod() {
        EmbeddedChannel channel = upstream(HttpMethod.HEAD);
        channel.writeInbound(ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);
        assertThat(parts).hasSize(4);
        assertThat(((HttpResponse) parts.get(0)).status().code()).isEqualTo(100);
        assertThat(((HttpResponse) parts.get(2)).status().code()).isEqualTo(200);
        assertThat(parts.get(3)).as("the 200 answers a HEAD").isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        release(parts);
        channel.finishAndReleaseAll();
    }

    @Test
    void skipsBlankLinesBeforeAStatusLineAndToleratesSpaceBeforeAColon() {
        Message decoded = ours("\r\n\r\nHTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 0\r\n\r\n", false);
        assertThat(decoded.failure()).isNull();
        assertThat(decoded.headers()).isEqualTo("X-A=1, Content-Length=0");
    }

    @Test
    void knownNamesAreSharedAndOtherSpellingsKept() {
        EmbeddedChannel channel = upstream(HttpMethod.GET);
        channel.writeInbound(
                ascii("HTTP/1.1 200 OK\r\nContent-Type: a\r\ncontent-type: b\r\nContent-Length: 0\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);
        List<Map.Entry<CharSequence, CharSequence>> fields = new ArrayList<>();
        ((HttpResponse) parts.get(0)).headers().iteratorCharSequence().forEachRemaining(fields::add);
        assertThat(fields.get(0).getKey())
                .isSameAs(HeaderNames.of("Content-Type".getBytes(StandardCharsets.US_ASCII), 0, 12));
        assertThat(fields.get(1).getKey().toString()).isEqualTo("content-type");
        assertThat(((HttpResponse) parts.get(0)).headers().getAll("CONTENT-TYPE"))
                .containsExactly("a", "b");
        release(parts);
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "NOT HTTP AT ALL\r\n\r\n",
                "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\n",
                "HTTP/2.0 200 OK\r\n\r\n",
                "HTTP/1.1 20 OK\r\n\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "HTTP/1.1 099 Low\r\n\r\n",
                "HTTP/1.1 200 O\u0001K\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
                "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\n: empty name\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\u0001\r\nh\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
            })
    void refusesWhatIsMalformedOrAmbiguous(String response) {
        for (boolean byteByByte : new boolean[] {false, true}) {
            Message decoded = ours(response, byteByByte);
            assertThat(decoded.failure()).as(response).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void limitsTheStatusLineAndTheHeaders() {
        String longLine = "HTTP/1.1 200 " + "r".repeat(ResponseDecoder.MAX_STATUS_LINE) + "\r\n\r\n";
        assertThat(ours(longLine, false).failure()).isInstanceOf(TooLongHttpLineException.class);
        String endless = "HTTP/1.1 200 " + "r".repeat(ResponseDecoder.MAX_STATUS_LINE + 10);
        assertThat(ours(endless, false).failure()).isInstanceOf(TooLongHttpLineException.class);

        String bigHeaders = "HTTP/1.1 200 OK\r\nX-Big: " + "v".repeat(1000) + "\r\nContent-Length: 0\r\n\r\n";
        assertThat(decode(new EmbeddedChannel(new ResponseDecoder(1024)), bigHeaders, false)
                        .failure())
                .isInstanceOf(TooLongHttpHeaderException.class);
        assertThat(decode(new EmbeddedChannel(new ResponseDecoder(2048)), bigHeaders, false)
                        .failure())
                .isNull();
        String endlessHeaders = "HTTP/1.1 200 OK\r\nX-Big: " + "v".repeat(ResponseDecoder.MAX_STATUS_LINE + 2000);
        assertThat(decode(new EmbeddedChannel(new ResponseDecoder(1024)), endlessHeaders, false)
                        .failure())
                .isInstanceOf(TooLongHttpHeaderException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
            })
    void aCloseBeforeTheEndOfAFramedBodyIsAFailureNotAnEnd(String response) {
        EmbeddedChannel channel = upstream(HttpMethod.GET);
        channel.writeInbound(ascii(response));
        channel.finish();
        Message decoded = message(channel);
        assertThat(decoded.failure()).isInstanceOf(PrematureChannelClosureException.class);
    }

    @Test
    void aCloseWithinAHeadPassesNothingOn() {
        EmbeddedChannel channel = upstream(HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Le"));
        channel.finish();
        assertThat(inbound(channel)).isEmpty();
    }

    @Test
    void nothingAfterAFailureIsDecoded() {
        EmbeddedChannel channel = upstream(HttpMethod.GET, HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        List<HttpObject> parts = inbound(channel);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).decoderResult().isFailure()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void bodiesArePassedOnInBoundedPieces() {
        int size = ResponseDecoder.MAX_PIECE * 2 + 7;
        EmbeddedChannel channel = upstream(HttpMethod.GET);
        channel.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n" + "b".repeat(size)));
        List<HttpObject> parts = inbound(channel);
        assertThat(parts).hasSize(4);
        for (HttpObject part : parts.subList(1, 4)) {
            assertThat(((HttpContent) part).content().readableBytes()).isLessThanOrEqualTo(ResponseDecoder.MAX_PIECE);
        }
        assertThat(parts.get(3)).isInstanceOf(LastHttpContent.class);
        release(parts);
        channel.finishAndReleaseAll();
    }

    // ---- helpers --------------------------------------------------------------------------

    private static Message ours(String response, boolean byteByByte) {
        return decode(upstream(HttpMethod.GET), response, byteByByte);
    }

    private static EmbeddedChannel upstream(HttpMethod... sent) {
        ResponseDecoder decoder = new ResponseDecoder(8192);
        for (HttpMethod method : sent) {
            decoder.requestSent(method);
        }
        return new EmbeddedChannel(decoder);
    }

    private static Message decode(EmbeddedChannel channel, String response, boolean byteByByte) {
        feed(channel, response, byteByByte);
        Message decoded = message(channel);
        channel.finishAndReleaseAll();
        return decoded;
    }

    private static void release(List<HttpObject> parts) {
        parts.forEach(ReferenceCountUtil::release);
    }
}
