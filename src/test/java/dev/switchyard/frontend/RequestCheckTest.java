package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.config.Limits;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.junit.jupiter.api.Test;

/** The limits part of {@link RequestCheck}: each limit bites one past it, never at it. */
class RequestCheckTest {

    private static final Limits LIMITS = new Limits(16_384, 300, 5, 1000, 0, 0, 0, 100);

    @Test
    void aTargetAtMaxUriLengthPassesAndOneLongerGets414() {
        assertThat(RequestCheck.refusal(get("/" + "a".repeat(299)), LIMITS)).isNull();
        assertThat(status(get("/" + "a".repeat(300)))).isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
    }

    @Test
    void theDecodersLineLimitAlsoGives414() {
        HttpRequest request = get("/bad-request");
        request.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException("too long")));
        RequestCheck.Refusal refusal = RequestCheck.refusal(request, LIMITS);
        assertThat(refusal.status()).isEqualTo(HttpResponseStatus.REQUEST_URI_TOO_LONG);
        assertThat(refusal.reason()).contains("max-uri-length");
    }

    @Test
    void headerFieldLinesAreCountedRepeatsIncluded() {
        HttpRequest request = get("/");
        request.headers().add("X-A", "1").add("X-A", "2").add("X-B", "3").add("X-C", "4");
        assertThat(RequestCheck.refusal(request, LIMITS))
                .as("Host and 4 more: 5")
                .isNull();
        request.headers().add("X-A", "5");
        assertThat(status(request)).isEqualTo(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    @Test
    void aContentLengthOverMaxBodySizeGets413AndZeroMeansNoLimit() {
        HttpRequest request = post(1000);
        assertThat(RequestCheck.refusal(request, LIMITS)).isNull();
        request = post(1001);
        assertThat(status(request)).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        Limits unlimited = new Limits(16_384, 300, 5, 0, 0, 0, 0, 100);
        assertThat(RequestCheck.refusal(post(Long.MAX_VALUE), unlimited)).isNull();
    }

    @Test
    void aMalformedRequestIsToldSoBeforeAnyLimit() {
        HttpRequest request = post(5000);
        request.headers().add("Transfer-Encoding", "chunked");
        assertThat(status(request)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    private static HttpResponseStatus status(HttpRequest request) {
        return RequestCheck.refusal(request, LIMITS).status();
    }

    private static HttpRequest get(String uri) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set("Host", "x");
        return request;
    }

    private static HttpRequest post(long contentLength) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        request.headers().set("Host", "x").set("Content-Length", contentLength);
        return request;
    }
}
