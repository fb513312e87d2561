package dev.switchyard.proxy;

import dev.switchyard.http.FieldHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Tells the backend who the client is: {@code X-Forwarded-For} (appended, as nginx's
 * {@code $proxy_add_x_forwarded_for} does), {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} (set: as the edge proxy we are the authority on both, a client's
 * own values would be spoofable). Stateless.
 */
public final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = FieldHeaders.name(FieldHeaders.X_FORWARDED_FOR);
    static final AsciiString X_FORWARDED_PROTO = FieldHeaders.name(FieldHeaders.X_FORWARDED_PROTO);
    static final AsciiString X_FORWARDED_HOST = FieldHeaders.name(FieldHeaders.X_FORWARDED_HOST);

    private ForwardedHeaders() {}

    static void add(HttpHeaders headers, String clientIp, String scheme, String host) {
        if (!FieldHeaders.mayContain(headers, FieldHeaders.X_FORWARDED)) {
            // The usual case, a client talking to us directly: nothing to append to or replace.
            headers.add(X_FORWARDED_FOR, clientIp);
            headers.add(X_FORWARDED_PROTO, scheme);
            if (host != null) {
                headers.add(X_FORWARDED_HOST, host);
            }
            return;
        }
        // get() first: getAll() builds a list even when, as usual, there is no such header.
        List<String> existing = headers.get(X_FORWARDED_FOR) == null ? List.of() : headers.getAll(X_FORWARDED_FOR);
        if (existing.isEmpty()) {
            headers.set(X_FORWARDED_FOR, clientIp);
        } else {
            // Several XFF lines are one comma-separated list (RFC 9110 §5.3); keep their order.
            headers.set(X_FORWARDED_FOR, String.join(", ", existing) + ", " + clientIp);
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
    }

    /** The client's IP as XFF and the access log write it; the address itself if not IP. */
    public static String ipOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            return ip != null ? ip.getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }
}
