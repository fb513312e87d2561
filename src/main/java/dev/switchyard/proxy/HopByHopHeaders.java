package dev.switchyard.proxy;

import dev.switchyard.http.FieldHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
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
 * challenge meant for the client.
 *
 * <p>Only the names the message may hold are looked up ({@link FieldHeaders}): a wrk or curl
 * request holds none, a backend's answer usually just {@code Connection: keep-alive}.
 * Stateless.
 */
final class HopByHopHeaders {

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        int present = FieldHeaders.namesIn(headers, FieldHeaders.HOP_BY_HOP);
        if (present == 0) {
            return;
        }
        if ((present & FieldHeaders.CONNECTION) != 0) {
            removeNamedInConnection(headers);
        }
        for (int left = present; left != 0; left &= left - 1) {
            headers.remove(FieldHeaders.name(Integer.lowestOneBit(left)));
        }
    }

    /**
     * Connection: a, b names further hop-by-hop headers (RFC 9110 §7.6.1). A name that is itself
     * hop-by-hop (the usual {@code keep-alive}) goes with them anyway. Removed after the
     * values are read, so that a Connection naming itself does not cut its own iteration short.
     */
    private static void removeNamedInConnection(HttpHeaders headers) {
        List<AsciiString> named = null;
        for (Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
                values.hasNext(); ) {
            AsciiString value = AsciiString.of(values.next());
            int start = 0;
            int length = value.length();
            while (start < length) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? length : comma;
                AsciiString name = value.subSequence(start, end, false).trim();
                boolean removedAnyway = (FieldHeaders.bitOf(name) & FieldHeaders.HOP_BY_HOP) != 0;
                if (!name.isEmpty() && !removedAnyway && !isEndToEndEssential(name)) {
                    if (named == null) {
                        named = new ArrayList<>(2);
                    }
                    named.add(name);
                }
                start = end + 1;
            }
        }
        if (named != null) {
            for (AsciiString name : named) {
                headers.remove(name);
            }
        }
    }

    /**
     * A client must not be able to make us drop framing or routing headers by naming them
     * in Connection: Host and Content-Length always describe the message itself.
     */
    private static boolean isEndToEndEssential(AsciiString name) {
        return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name);
    }
}
