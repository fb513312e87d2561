package dev.switchyard.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bytes of RFC 9110 and 9112 that both decoders check a head against: token characters,
 * field-value characters and line ends. Stateless.
 */
public final class Syntax {

    public static final byte CR = '\r';
    public static final byte LF = '\n';
    public static final byte SP = ' ';
    public static final byte HTAB = '\t';

    /** RFC 9110 §5.6.2 tchar. */
    private static final boolean[] TOKEN = tokenChars();

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** HTAB, SP, visible ASCII and obs-text (RFC 9110 §5.5). */
    private static final boolean[] FIELD = fieldChars();

    private Syntax() {}

    /** A tchar: what a method or a header name is made of. */
    public static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    /** HTAB, SP, visible ASCII and obs-text: what a field value or reason phrase may hold. */
    public static boolean isFieldChar(byte b) {
        return FIELD[b & 0xff];
    }

    /**
     * The index of the first byte from {@code from} on that may not be in a field value: the CR
     * that ends a well-formed line, else what makes it malformed. Eight bytes at a step while
     * none of them is below 0x20 or 0x7f (values are mostly long runs of visible ASCII), then
     * byte by byte; {@code h} must hold such a byte (a head always ends with its LF).
     */
    static int fieldCharsEnd(byte[] h, int from) {
        int i = from;
        while (i + Long.BYTES <= h.length) {
            long x = (long) LONGS.get(h, i);
            // A byte below 0x20 (and under 0x80) leaves its high bit set in the first term; a
            // byte 0x7f becomes 0 in y and sets its high bit in the second. Exact for "any".
            long below20 = (x - 0x2020202020202020L) & ~x & 0x8080808080808080L;
            long y = x ^ 0x7f7f7f7f7f7f7f7fL;
            long del = (y - 0x0101010101010101L) & ~y & 0x8080808080808080L;
            if ((below20 | del) != 0) {
                break;
            }
            i += Long.BYTES;
        }
        while (isFieldChar(h[i])) {
            i++;
        }
        return i;
    }

    /** Whether {@code h} holds {@code s} at {@code start}; {@code s} is ASCII. */
    public static boolean sameChars(byte[] h, int start, String s) {
        if (start + s.length() > h.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (h[start + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A head's bytes always end with an LF, so every line has one. */
    static int indexOf(byte[] h, int from, byte b) {
        for (int i = from; i < h.length; i++) {
            if (h[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("incomplete line");
    }

    /** Where the line from {@code start} to the LF at {@code lf} ends, without its CR. */
    static int lineEnd(byte[] h, int start, int lf) {
        if (lf == start || h[lf - 1] != CR) {
            throw bareLineFeed();
        }
        return lf - 1;
    }

    /**
     * RFC 9112 §2.2 allows a bare LF as a line end, but a proxy that reads lines differently
     * from the next hop is how messages get smuggled or split; Netty's strict parsing refused it
     * too.
     */
    static IllegalArgumentException bareLineFeed() {
        return new IllegalArgumentException("line feed without carriage return");
    }

    private static boolean[] fieldChars() {
        boolean[] field = new boolean[256];
        for (int c = 0x20; c < 256; c++) {
            field[c] = c != 0x7f;
        }
        field[HTAB] = true;
        return field;
    }

    private static boolean[] tokenChars() {
        boolean[] token = new boolean[256];
        for (int c = '0'; c <= '9'; c++) {
            token[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            token[c] = true;
            token[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            token[c] = true;
        }
        return token;
    }
}
