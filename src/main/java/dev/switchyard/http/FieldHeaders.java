package dev.switchyard.http;

import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.DefaultHeaders.ValueValidator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The headers of a decoded message, remembering which of the names a proxy must act on were
 * ever put in them. A request from a client that talks to us directly usually holds none of
 * them (no hop-by-hop field, no {@code X-Forwarded-*}, no {@code X-Request-Id}), and a backend's
 * answer usually only {@code Connection}. A proxy that asks {@link #mayContain} first skips the
 * hash lookups (about twenty per exchange) that would each find nothing.
 *
 * <p>Every method that adds a name notes its bit, so the answer is never "absent" for a name
 * that is present: a removal leaves the mark (a stale "may" costs only the lookup the caller
 * would have made anyway). What bypasses this class is not seen, so no code calls
 * {@link #unwrap()} (an {@code ArchitectureTest} rule). {@code FieldHeadersTest} checks that
 * every adding method of {@link HttpHeaders} is overridden here, so a Netty upgrade that adds
 * one fails a test rather than a request.
 *
 * <p>Confined to one event loop, like the message it belongs to.
 */
public final class FieldHeaders extends DefaultHttpHeaders {

    // One bit per name, so a caller can ask about one name or about a group.
    public static final int CONNECTION = 1;
    public static final int KEEP_ALIVE = 1 << 1;
    public static final int PROXY_CONNECTION = 1 << 2;
    public static final int TE = 1 << 3;
    public static final int TRAILER = 1 << 4;
    public static final int UPGRADE = 1 << 5;
    public static final int TRANSFER_ENCODING = 1 << 6;
    public static final int PROXY_AUTHORIZATION = 1 << 7;
    public static final int X_FORWARDED_FOR = 1 << 8;
    public static final int X_FORWARDED_PROTO = 1 << 9;
    public static final int X_FORWARDED_HOST = 1 << 10;
    public static final int X_REQUEST_ID = 1 << 11;

    /**
     * RFC 9110 §7.6.1's connection-specific fields and what a proxy removes with them:
     * Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Transfer-Encoding and
     * Proxy-Authorization.
     */
    public static final int HOP_BY_HOP = CONNECTION
            | KEEP_ALIVE
            | PROXY_CONNECTION
            | TE
            | TRAILER
            | UPGRADE
            | TRANSFER_ENCODING
            | PROXY_AUTHORIZATION;

    /** X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host. */
    public static final int X_FORWARDED = X_FORWARDED_FOR | X_FORWARDED_PROTO | X_FORWARDED_HOST;

    /**
     * The names in bit order, lower case: Netty's own instances where it has them, so that a
     * name given as a constant matches by identity.
     */
    private static final AsciiString[] NAMES = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        AsciiString.cached("x-forwarded-for"),
        AsciiString.cached("x-forwarded-proto"),
        AsciiString.cached("x-forwarded-host"),
        AsciiString.cached("x-request-id"),
    };

    /**
     * The {@link HeaderNames} spelling of each of {@link #NAMES}, or null: a backend's
     * {@code Connection} is decoded as that shared object, so it too matches by identity.
     */
    private static final AsciiString[] SHARED_SPELLINGS =
            Arrays.stream(NAMES).map(HeaderNames::sharedIgnoringCase).toArray(AsciiString[]::new);

    /** By length: the indexes in {@link #NAMES} (and bits) of the names of that length. */
    private static final int[][] BY_LENGTH = byLength();

    @SuppressWarnings("unchecked")
    private static final ValueValidator<CharSequence> NO_VALUE_CHECK =
            (ValueValidator<CharSequence>) ValueValidator.NO_VALIDATION;

    private int seen;

    /**
     * Headers that check nothing on the way in: {@link HeaderFields} has checked names and
     * values while splitting them, and what the proxy adds is its own.
     */
    public FieldHeaders() {
        super(NameValidator.NOT_NULL, NO_VALUE_CHECK, 16);
    }

    /** Whether {@code headers} may hold a name of {@code names}; true for headers of any other class. */
    public static boolean mayContain(HttpHeaders headers, int names) {
        return namesIn(headers, names) != 0;
    }

    /**
     * Which of {@code names} {@code headers} may hold, as their bits: all of them for headers
     * of any other class.
     */
    public static int namesIn(HttpHeaders headers, int names) {
        return headers instanceof FieldHeaders fields ? fields.seen & names : names;
    }

    /** The name whose bit {@code bit} is (one bit), lower case; matched by identity first. */
    public static AsciiString name(int bit) {
        return NAMES[Integer.numberOfTrailingZeros(bit)];
    }

    /**
     * The bit of {@code name}, or 0. Called for every field a decoder adds, so it is cheap: the
     * length picks at most two candidates, and no two of the twelve names share a length and a
     * first letter, so a full comparison is made only for a name that is almost surely one.
     */
    public static int bitOf(CharSequence name) {
        int length = name.length();
        if (length >= BY_LENGTH.length || BY_LENGTH[length].length == 0) {
            return 0;
        }
        int[] candidates = BY_LENGTH[length];
        for (int index : candidates) {
            if (NAMES[index] == name || SHARED_SPELLINGS[index] == name) {
                return 1 << index;
            }
        }
        // ASCII letters only differ in bit 0x20 between cases; NAMES are lower case.
        int first = name.charAt(0) | 0x20;
        for (int index : candidates) {
            AsciiString known = NAMES[index];
            if (known.byteAt(0) == first && known.contentEqualsIgnoreCase(name)) {
                return 1 << index;
            }
        }
        return 0;
    }

    private static int[][] byLength() {
        int longest = Arrays.stream(NAMES).mapToInt(AsciiString::length).max().orElse(0);
        int[][] table = new int[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int ofLength = length;
            table[length] = IntStream.range(0, NAMES.length)
                    .filter(i -> NAMES[i].length() == ofLength)
                    .toArray();
        }
        return table;
    }

    private void note(CharSequence name) {
        seen |= bitOf(name);
    }

    private void noteAll(HttpHeaders headers) {
        for (String name : headers.names()) {
            note(name);
        }
    }

    /**
     * Netty's {@code HttpUtil} asks this for every message ({@code isTransferEncodingChunked} in
     * both encoders, {@code isKeepAlive}): answered without a lookup for a name the message never
     * held.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        int bit = bitOf(name);
        if (bit != 0 && (seen & bit) == 0) {
            return false;
        }
        return super.containsValue(name, value, ignoreCase);
    }

    @Override
    public HttpHeaders add(HttpHeaders headers) {
        noteAll(headers);
        return super.add(headers);
    }

    @Override
    public HttpHeaders set(HttpHeaders headers) {
        noteAll(headers);
        return super.set(headers);
    }

    @Override
    public HttpHeaders setAll(HttpHeaders headers) {
        noteAll(headers);
        return super.setAll(headers);
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        note(name);
        return super.add(name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        note(name);
        return super.add(name, value);
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        note(name);
        return super.add(name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        note(name);
        return super.add(name, values);
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        note(name);
        return super.addInt(name, value);
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        note(name);
        return super.addShort(name, value);
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        note(name);
        return super.set(name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        note(name);
        return super.set(name, value);
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        note(name);
        return super.set(name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        note(name);
        return super.set(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        note(name);
        return super.setInt(name, value);
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        note(name);
        return super.setShort(name, value);
    }
}
