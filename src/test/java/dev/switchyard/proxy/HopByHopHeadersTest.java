package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.http.FieldHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same stripping whether the headers remember their names (decoded) or not (built by us). */
class HopByHopHeadersTest {

    static List<Supplier<HttpHeaders>> kinds() {
        return List.of(FieldHeaders::new, DefaultHttpHeaders::new);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void removesEveryConnectionSpecificFieldAndWhatConnectionNamesButNotHostOrLength(Supplier<HttpHeaders> kind) {
        HttpHeaders headers = kind.get()
                .add("Host", "shop.example")
                .add("Content-Length", "3")
                .add("Connection", "keep-alive, X-Private, te, Host, content-length")
                .add("connection", "X-Other-Private")
                .add("X-Private", "secret")
                .add("x-other-private", "secret")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic Zm9vOmJhcg==")
                .add("Upgrade", "websocket")
                .add("Trailer", "Expires")
                .add("Transfer-Encoding", "chunked")
                .add("Proxy-Authenticate", "Basic realm=\"shop\"")
                .add("X-Kept", "yes");
        HopByHopHeaders.strip(headers);
        assertThat(names(headers)).containsExactly("Host", "Content-Length", "Proxy-Authenticate", "X-Kept");
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aConnectionThatNamesItselfOrCloseStillGoesWithWhatItNames(Supplier<HttpHeaders> kind) {
        HttpHeaders headers = kind.get()
                .add("Connection", "Connection, close")
                .add("Close", "odd but named")
                .add("X-Kept", "yes");
        HopByHopHeaders.strip(headers);
        assertThat(names(headers)).containsExactly("X-Kept");
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void headersWithoutAnyLeaveUntouched(Supplier<HttpHeaders> kind) {
        HttpHeaders headers = kind.get().add("Host", "shop.example").add("Accept", "*/*");
        HopByHopHeaders.strip(headers);
        assertThat(names(headers)).containsExactly("Host", "Accept");
    }

    private static List<String> names(HttpHeaders headers) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> field : headers) {
            names.add(field.getKey());
        }
        return names;
    }
}
