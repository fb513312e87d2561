package dev.switchyard.proxy;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-Id}: the one a client (or a proxy in front of us) sent is kept when it is
 * sane, so one id follows a request across hops; otherwise we make a random 128-bit one.
 * Stateless.
 */
public final class RequestIds {

    public static final AsciiString HEADER = AsciiString.cached("x-request-id");
    static final int MAX_LENGTH = 128;

    private RequestIds() {}

    /**
     * Sane: 1 to 128 characters of letters, digits and {@code -_.:}. Anything else could break
     * a log line or smuggle text into one, so it is replaced.
     */
    static String keepOrCreate(String fromClient) {
        return isSane(fromClient) ? fromClient : create();
    }

    static boolean isSane(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
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

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** 32 lower-case hex digits, written into one array: no intermediate strings per request. */
    public static String create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return hex(random.nextLong(), random.nextLong());
    }

    static String hex(long high, long low) {
        byte[] digits = new byte[32];
        writeHex(high, digits, 0);
        writeHex(low, digits, 16);
        return new String(digits, StandardCharsets.US_ASCII);
    }

    private static void writeHex(long value, byte[] into, int offset) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX_DIGITS[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
