package dev.switchyard.proxy;

import dev.switchyard.http.FieldHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-Id}: the one a client (or a proxy in front of us) sent is kept when it is
 * sane, so one id follows a request across hops; otherwise we make a random 128-bit one.
 * Stateless.
 */
public final class RequestIds {

    public static final AsciiString HEADER = FieldHeaders.name(FieldHeaders.X_REQUEST_ID);
    static final int MAX_LENGTH = 128;

    private RequestIds() {}

    /**
     * Sane: 1 to 128 characters of letters, digits and {@code -_.:}. Anything else could break
     * a log line or smuggle text into one, so it is replaced.
     */
    static AsciiString keepOrCreate(CharSequence fromClient) {
        return isSane(fromClient) ? AsciiString.of(fromClient) : create();
    }

    static boolean isSane(CharSequence id) {
        if (id == null || id.length() == 0 || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Sets the id: added without the remove's lookup when the headers never held one. */
    static void put(HttpHeaders headers, AsciiString id) {
        if (FieldHeaders.mayContain(headers, FieldHeaders.X_REQUEST_ID)) {
            headers.set(HEADER, id);
        } else {
            headers.add(HEADER, id);
        }
    }

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * 32 lower-case hex digits, written into one array that the id then wraps: no string per
     * request, and the encoder copies the header value as one block.
     */
    public static AsciiString create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return hex(random.nextLong(), random.nextLong());
    }

    static AsciiString hex(long high, long low) {
        byte[] digits = new byte[32];
        writeHex(high, digits, 0);
        writeHex(low, digits, 16);
        return new AsciiString(digits, false);
    }

    private static void writeHex(long value, byte[] into, int offset) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX_DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
