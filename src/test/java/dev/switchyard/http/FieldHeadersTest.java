package dev.switchyard.http;

import static dev.switchyard.http.FieldHeaders.HOP_BY_HOP;
import static dev.switchyard.http.FieldHeaders.X_FORWARDED;
import static dev.switchyard.http.FieldHeaders.X_REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class FieldHeadersTest {

    @Test
    void eachNameHasItsBitInAnyCase() {
        Map<String, Integer> bits = Map.ofEntries(
                Map.entry("Connection", FieldHeaders.CONNECTION),
                Map.entry("keep-alive", FieldHeaders.KEEP_ALIVE),
                Map.entry("Proxy-Connection", FieldHeaders.PROXY_CONNECTION),
                Map.entry("TE", FieldHeaders.TE),
                Map.entry("Trailer", FieldHeaders.TRAILER),
                Map.entry("UPGRADE", FieldHeaders.UPGRADE),
                Map.entry("Transfer-Encoding", FieldHeaders.TRANSFER_ENCODING),
                Map.entry("proxy-authorization", FieldHeaders.PROXY_AUTHORIZATION),
                Map.entry("X-Forwarded-For", FieldHeaders.X_FORWARDED_FOR),
                Map.entry("x-forwarded-proto", FieldHeaders.X_FORWARDED_PROTO),
                Map.entry("X-FORWARDED-HOST", FieldHeaders.X_FORWARDED_HOST),
                Map.entry("X-Request-ID", FieldHeaders.X_REQUEST_ID));
        int all = 0;
        for (Map.Entry<String, Integer> name : bits.entrySet()) {
            assertThat(FieldHeaders.bitOf(name.getKey())).as(name.getKey()).isEqualTo(name.getValue());
            AsciiString lowerCase = FieldHeaders.name(name.getValue());
            assertThat(lowerCase.toString()).isEqualTo(name.getKey().toLowerCase(Locale.ROOT));
            assertThat(FieldHeaders.bitOf(lowerCase)).isEqualTo(name.getValue());
            assertThat(Integer.bitCount(name.getValue())).isOne();
            all |= name.getValue();
        }
        assertThat(Integer.bitCount(all)).isEqualTo(bits.size());
        assertThat(HOP_BY_HOP | X_FORWARDED | X_REQUEST_ID).isEqualTo(all);
    }

    @Test
    void sharedSpellingsOfDecodedNamesHaveTheirBits() {
        Map<String, Integer> bits = Map.of(
                "Connection", FieldHeaders.CONNECTION,
                "Keep-Alive", FieldHeaders.KEEP_ALIVE,
                "Transfer-Encoding", FieldHeaders.TRANSFER_ENCODING,
                "X-Forwarded-For", FieldHeaders.X_FORWARDED_FOR,
                "X-Request-Id", FieldHeaders.X_REQUEST_ID);
        for (Map.Entry<String, Integer> name : bits.entrySet()) {
            byte[] bytes = name.getKey().getBytes(StandardCharsets.US_ASCII);
            AsciiString decoded = HeaderNames.of(bytes, 0, bytes.length);
            assertThat((Object) HeaderNames.of(bytes, 0, bytes.length))
                    .as(name.getKey())
                    .isSameAs(decoded);
            assertThat(FieldHeaders.bitOf(decoded)).as(name.getKey()).isEqualTo(name.getValue());
            // bitOf's identity test compares with this object; a copy would only match by bytes.
            assertThat((Object) HeaderNames.sharedIgnoringCase(FieldHeaders.name(name.getValue())))
                    .as(name.getKey())
                    .isSameAs(decoded);
        }
        assertThat((Object) HeaderNames.sharedIgnoringCase(FieldHeaders.name(FieldHeaders.CONNECTION)))
                .hasToString("Connection");
        assertThat((Object) HeaderNames.sharedIgnoringCase(FieldHeaders.name(FieldHeaders.PROXY_CONNECTION)))
                .isNull();
    }

    @Test
    void otherNamesOfTheSameLengthsBelongToNoGroup() {
        for (String name : List.of(
                "",
                "T",
                "Te-",
                "tf",
                "User-Agent",
                "Connectio_",
                "Accept-Ranges",
                "Content-Length",
                "Proxy-Authenticate",
                "x-forwarded-fox",
                "X-Forwarded-Port",
                "X-Request-Ix",
                "a-name-longer-than-any-of-the-group-names")) {
            assertThat(FieldHeaders.bitOf(name)).as(name).isZero();
        }
    }

    @Test
    void parsedFieldsRememberTheGroupsTheyHold() {
        HttpHeaders plain = parse("Host: shop\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n");
        assertThat(FieldHeaders.mayContain(plain, HOP_BY_HOP)).isFalse();
        assertThat(FieldHeaders.mayContain(plain, X_FORWARDED)).isFalse();
        assertThat(FieldHeaders.mayContain(plain, X_REQUEST_ID)).isFalse();

        HttpHeaders proxied = parse("Host: shop\r\nconnection: close\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
        assertThat(FieldHeaders.namesIn(proxied, HOP_BY_HOP)).isEqualTo(FieldHeaders.CONNECTION);
        assertThat(FieldHeaders.namesIn(proxied, X_FORWARDED)).isEqualTo(FieldHeaders.X_FORWARDED_FOR);
        assertThat(FieldHeaders.mayContain(proxied, X_REQUEST_ID)).isFalse();
    }

    @Test
    void everyWayOfAddingANameIsNoted() {
        List<Consumer<HttpHeaders>> adders = List.of(
                h -> h.add("Connection", "close"),
                h -> h.add((CharSequence) "Connection", "close"),
                h -> h.add("Connection", List.of("close")),
                h -> h.add((CharSequence) "Connection", List.of("close")),
                h -> h.addInt("Connection", 1),
                h -> h.addShort("Connection", (short) 1),
                h -> h.set("Connection", "close"),
                h -> h.set((CharSequence) "Connection", "close"),
                h -> h.set("Connection", List.of("close")),
                h -> h.set((CharSequence) "Connection", List.of("close")),
                h -> h.setInt("Connection", 1),
                h -> h.setShort("Connection", (short) 1),
                h -> h.add(new DefaultHttpHeaders().add("Connection", "close")),
                h -> h.set(new DefaultHttpHeaders().add("Connection", "close")),
                h -> h.setAll(new DefaultHttpHeaders().add("Connection", "close")));
        for (Consumer<HttpHeaders> adder : adders) {
            FieldHeaders headers = new FieldHeaders();
            assertThat(FieldHeaders.mayContain(headers, HOP_BY_HOP)).isFalse();
            adder.accept(headers);
            assertThat(FieldHeaders.namesIn(headers, HOP_BY_HOP | X_FORWARDED)).isEqualTo(FieldHeaders.CONNECTION);
        }
    }

    @Test
    void containsValueAnswersForANeverAddedNameWithoutLookingAndOtherwiseAsNetty() {
        FieldHeaders headers = new FieldHeaders();
        headers.add("Content-Type", "text/plain");
        assertThat(headers.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true))
                .isFalse();
        assertThat(headers.containsValue("content-type", "TEXT/PLAIN", true)).isTrue();
        assertThat(headers.containsValue("content-type", "TEXT/PLAIN", false)).isFalse();
        headers.add("transfer-encoding", "gzip, Chunked");
        assertThat(headers.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true))
                .isTrue();
        assertThat(headers.containsValue(HttpHeaderNames.CONNECTION, "close", true))
                .isFalse();
    }

    @Test
    void aRemovedNameStillCountsAsPossible() {
        FieldHeaders headers = new FieldHeaders();
        headers.add("Upgrade", "websocket");
        headers.remove("Upgrade");
        assertThat(FieldHeaders.mayContain(headers, HOP_BY_HOP)).isTrue();
    }

    @Test
    void headersOfAnyOtherClassMayContainAnything() {
        HttpHeaders other = new DefaultHttpHeaders();
        assertThat(FieldHeaders.namesIn(other, HOP_BY_HOP)).isEqualTo(HOP_BY_HOP);
        assertThat(FieldHeaders.mayContain(other, X_FORWARDED)).isTrue();
        assertThat(FieldHeaders.mayContain(other, X_REQUEST_ID)).isTrue();
    }

    /** A Netty upgrade that adds a way to add a name must not bypass the groups unnoticed. */
    @Test
    void everyAddingMethodOfHttpHeadersIsOverridden() throws NoSuchMethodException {
        List<String> missing = new ArrayList<>();
        for (Method method : HttpHeaders.class.getMethods()) {
            boolean adds =
                    method.getName().startsWith("add") || method.getName().startsWith("set");
            if (!adds || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            Method implementation = FieldHeaders.class.getMethod(method.getName(), method.getParameterTypes());
            if (implementation.getDeclaringClass() != FieldHeaders.class) {
                missing.add(method.toString());
            }
        }
        assertThat(missing).isEmpty();
    }

    private static HttpHeaders parse(String fields) {
        byte[] section = fields.getBytes(StandardCharsets.US_ASCII);
        return HeaderFields.parse(section, 0, 8192, true).headers();
    }
}
