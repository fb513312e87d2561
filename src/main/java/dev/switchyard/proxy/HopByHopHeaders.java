package dev.switchyard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message, in both
 * directions (RFC 9110 §7.6.1): {@code Connection} and every header it names,
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Upgrade}
 * and {@code Transfer-Encoding}, which the encoder re-frames from our own decision.
 *
 * <p>{@code Proxy-Authorization} is removed too: as a gateway we are its final recipient
 * (RFC 9110 §11.7.2) and do not authenticate, so forwarding it would leak a client's proxy
 * credentials to every backend. {@code Proxy-Authenticate} passes: it is a backend's
 * challenge meant for the client. Stateless.
 */
final class HopByHopHeaders {

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            removeNamedIn(headers, connection.get(i));
        }
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove(PROXY_CONNECTION)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    }

    /** Connection: a, b names further hop-by-hop headers (RFC 9110 §7.6.1). */
    private static void removeNamedIn(HttpHeaders headers, String connectionValue) {
        int start = 0;
        int length = connectionValue.length();
        while (start < length) {
            int comma = connectionValue.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            String name = connectionValue.substring(start, end).trim();
            if (!name.isEmpty() && !isEndToEndEssential(name)) {
                headers.remove(name);
            }
            start = end + 1;
        }
    }

    /**
     * A client must not be able to make us drop framing or routing headers by naming them
     * in Connection: Host and Content-Length always describe the message itself.
     */
    private static boolean isEndToEndEssential(String name) {
        return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name);
    }
}
