package dev.switchyard.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The strictest reading of an HTTP/1.1 request as a proxy should send it upstream (RFC 9112),
 * written apart from Netty so that the fuzzer's backend does not share the proxy's parser:
 * CRLF line ends only, no NUL, bare CR or obs-fold, a token method, a visible-ASCII target,
 * exactly {@code HTTP/1.1}, exactly one Host, and exactly one framing: one all-digit
 * Content-Length, or one {@code Transfer-Encoding: chunked} with well-formed chunks, never
 * both. Anything else is a {@link Violation}; an end of stream inside a message is
 * {@link Truncated}. Reads from a buffered stream, one message at a time.
 */
final class StrictRequestParser {

    /** The message broke a rule: a proxy sent something a backend could frame differently. */
    static final class Violation extends Exception {
        private static final long serialVersionUID = 1L;

        Violation(String message) {
            super(message);
        }
    }

    /** The stream ended inside a message. */
    static final class Truncated extends Exception {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }

    record Request(String method, String target, String framing, List<String> headers) {}

    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 500;

    private final InputStream in;
    private int first = -1;

    StrictRequestParser(InputStream in) {
        this.in = in;
    }

    /** Blocks for the first byte of the next message; false on a clean end of stream. */
    boolean awaitFirstByte() throws IOException {
        first = in.read();
        return first != -1;
    }

    Request readRest() throws IOException, Violation, Truncated {
        String requestLine = line("request line");
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3) {
            throw new Violation("request line is not three parts: " + quote(requestLine));
        }
        if (!isToken(parts[0])) {
            throw new Violation("method is not a token: " + quote(parts[0]));
        }
        if (parts[1].isEmpty() || !isVisible(parts[1])) {
            throw new Violation("target is not visible ASCII: " + quote(parts[1]));
        }
        if (!parts[2].equals("HTTP/1.1")) {
            throw new Violation("version is not HTTP/1.1: " + quote(parts[2]));
        }
        List<String> headers = fields("header");
        int hosts = 0;
        List<String> lengths = new ArrayList<>();
        List<String> codings = new ArrayList<>();
        for (String field : headers) {
            int colon = field.indexOf(':');
            String name = field.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = field.substring(colon + 1).strip();
            switch (name) {
                case "host" -> hosts++;
                case "content-length" -> lengths.add(value);
                case "transfer-encoding" -> codings.add(value);
                default -> {}
            }
        }
        if (hosts != 1) {
            throw new Violation(hosts + " Host fields");
        }
        String framing;
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                throw new Violation("both Transfer-Encoding and Content-Length");
            }
            if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
                throw new Violation("Transfer-Encoding other than one 'chunked': " + codings);
            }
            framing = "chunked " + chunkedBody();
        } else if (!lengths.isEmpty()) {
            if (lengths.size() != 1) {
                throw new Violation("more than one Content-Length: " + lengths);
            }
            String length = lengths.get(0);
            if (length.isEmpty() || length.length() > 15 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Violation("Content-Length is not a plain number: " + quote(length));
            }
            long size = Long.parseLong(length);
            skip(size);
            framing = "length " + size;
        } else {
            framing = "none";
        }
        return new Request(parts[0], parts[1], framing, headers);
    }

    /** Reads a chunked body and its trailers; answers the number of data bytes. */
    private long chunkedBody() throws IOException, Violation, Truncated {
        long total = 0;
        while (true) {
            String sizeLine = line("chunk size");
            int semicolon = sizeLine.indexOf(';');
            String hex = semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon);
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(StrictRequestParser::isHexDigit)) {
                throw new Violation("chunk size is not hex: " + quote(sizeLine));
            }
            if (semicolon >= 0 && !isChunkExtensions(sizeLine.substring(semicolon))) {
                throw new Violation("malformed chunk extension: " + quote(sizeLine));
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                fields("trailer");
                return total;
            }
            skip(size);
            total += size;
            String end = line("chunk data end");
            if (!end.isEmpty()) {
                throw new Violation("chunk data longer than its size: " + quote(end));
            }
        }
    }

    /** Header or trailer fields up to the empty line. */
    private List<String> fields(String what) throws IOException, Violation, Truncated {
        List<String> fields = new ArrayList<>();
        while (true) {
            String field = line(what);
            if (field.isEmpty()) {
                return fields;
            }
            if (field.charAt(0) == ' ' || field.charAt(0) == '\t') {
                throw new Violation("obs-fold in " + what + ": " + quote(field));
            }
            int colon = field.indexOf(':');
            if (colon <= 0 || !isToken(field.substring(0, colon))) {
                throw new Violation(what + " name is not a token: " + quote(field));
            }
            String value = field.substring(colon + 1);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c != ' ' && c != '\t' && (c < 0x21 || c == 0x7f)) {
                    throw new Violation("control byte in " + what + " value: " + quote(field));
                }
            }
            if (fields.size() == MAX_HEADERS) {
                throw new Violation("more than " + MAX_HEADERS + " " + what + " fields");
            }
            fields.add(field);
        }
    }

    /** One line ending in CRLF, without it; a bare CR or LF, or a NUL, is a violation. */
    private String line(String what) throws IOException, Violation, Truncated {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = next();
            if (b == -1) {
                throw new Truncated(
                        "end of stream in " + what + " after " + quote(line.toString(StandardCharsets.ISO_8859_1)));
            }
            if (b == '\r') {
                int lf = next();
                if (lf == -1) {
                    throw new Truncated("end of stream after CR in " + what);
                }
                if (lf != '\n') {
                    throw new Violation(
                            "bare CR in " + what + ": " + quote(line.toString(StandardCharsets.ISO_8859_1)));
                }
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                throw new Violation("bare LF in " + what + ": " + quote(line.toString(StandardCharsets.ISO_8859_1)));
            }
            if (b == 0) {
                throw new Violation("NUL in " + what);
            }
            if (line.size() == MAX_LINE) {
                throw new Violation(what + " longer than " + MAX_LINE);
            }
            line.write(b);
        }
    }

    private void skip(long size) throws IOException, Truncated {
        long left = size;
        while (left > 0) {
            int b = next();
            if (b == -1) {
                throw new Truncated("end of stream with " + left + " of " + size + " body bytes missing");
            }
            left--;
            long skipped = in.skip(Math.min(left, in.available()));
            left -= skipped;
        }
    }

    private int next() throws IOException {
        if (first != -1) {
            int b = first;
            first = -1;
            return b;
        }
        return in.read();
    }

    /** RFC 9112 §7.1.1: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ). */
    private static boolean isChunkExtensions(String s) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            i = skipWhitespace(s, i);
            if (i >= n || s.charAt(i) != ';') {
                return false;
            }
            i = skipWhitespace(s, i + 1);
            int start = i;
            while (i < n && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (i == start) {
                return false;
            }
            int afterName = skipWhitespace(s, i);
            if (afterName < n && s.charAt(afterName) == '=') {
                i = skipWhitespace(s, afterName + 1);
                if (i < n && s.charAt(i) == '"') {
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        i += s.charAt(i) == '\\' ? 2 : 1;
                    }
                    if (i >= n) {
                        return false;
                    }
                    i++;
                } else {
                    start = i;
                    while (i < n && isTokenChar(s.charAt(i))) {
                        i++;
                    }
                    if (i == start) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isVisible(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String quote(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        return "\"" + printable(bytes, bytes.length) + "\"";
    }

    /** Bytes with controls and non-ASCII as \xNN, for messages. */
    static String printable(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(length, 200); i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                out.append((char) b);
            } else if (b == '\r') {
                out.append("\\r");
            } else if (b == '\n') {
                out.append("\\n");
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        return length > 200 ? out + "..." : out.toString();
    }
}
