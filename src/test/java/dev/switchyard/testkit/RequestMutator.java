package dev.switchyard.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Byte-level mutations of a corpus of valid requests, for the request fuzzer. Case {@code i}
 * of seed {@code s} depends on nothing else, so one failing case can be replayed alone.
 *
 * <p>Most positions are picked among the bytes that decide framing (CR, LF, ':', ' ', the
 * digits of lengths and chunk sizes, the letters of Transfer-Encoding, Content-Length and
 * chunked) and most new bytes among those same characters plus NUL, TAB, ',' and ';': uniform
 * noise mostly produces garbage request lines that every parser refuses the same way.
 */
public final class RequestMutator {

    /** One generated case: what was mutated from which seed, and the bytes to send. */
    public record Case(long index, String seedName, String mutations, byte[] bytes) {
        public String printable() {
            return StrictRequestParser.printable(bytes, bytes.length);
        }
    }

    /** The valid requests mutated; every one is answered by the backend as it stands. */
    public static final List<String[]> CORPUS = List.of(
            new String[] {"GET", "GET /fuzz/get?x=1 HTTP/1.1\r\nHost: fuzz\r\nUser-Agent: f\r\nAccept: */*\r\n\r\n"},
            new String[] {"HEAD", "HEAD /fuzz/head HTTP/1.1\r\nHost: fuzz\r\n\r\n"},
            new String[] {
                "POST length",
                "POST /fuzz/length HTTP/1.1\r\nHost: fuzz\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 11\r\n\r\nhello world"
            },
            new String[] {
                "POST chunked",
                "POST /fuzz/chunked HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            },
            new String[] {
                "pipelined",
                "GET /fuzz/first HTTP/1.1\r\nHost: fuzz\r\n\r\n"
                        + "POST /fuzz/second HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 3\r\n\r\nabc"
            },
            new String[] {"absolute form", "GET http://fuzz/fuzz/absolute HTTP/1.1\r\nHost: fuzz\r\n\r\n"},
            new String[] {"HTTP/1.0", "POST /fuzz/old HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi"
            });

    private static final byte[] INTERESTING_NEW =
            "\r\n: \t0123456789abcdefABCDEF,;\u0000\"-+xX".getBytes(StandardCharsets.ISO_8859_1);
    private static final String FRAMING_LETTERS = "TransferEncodingContentLengthchunked";

    private final long seed;

    public RequestMutator(long seed) {
        this.seed = seed;
    }

    public Case generate(long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
        String[] original = CORPUS.get(random.nextInt(CORPUS.size()));
        byte[] bytes = original[1].getBytes(StandardCharsets.ISO_8859_1);
        int count = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
        StringBuilder described = new StringBuilder();
        for (int m = 0; m < count; m++) {
            int position = position(bytes, random);
            int op = random.nextInt(4);
            byte fresh = random.nextInt(4) == 0
                    ? (byte) random.nextInt(256)
                    : INTERESTING_NEW[random.nextInt(INTERESTING_NEW.length)];
            described.append(m == 0 ? "" : ", ").append(describe(op, position, bytes, fresh));
            bytes = apply(op, position, bytes, fresh);
        }
        return new Case(index, original[0], described.toString(), bytes);
    }

    /** Three times in four a structurally interesting byte, else any position. */
    private static int position(byte[] bytes, Random random) {
        if (random.nextInt(4) != 0) {
            List<Integer> interesting = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                char c = (char) (bytes[i] & 0xff);
                if (c == '\r' || c == '\n' || c == ':' || c == ' ' || Character.isDigit(c)) {
                    interesting.add(i);
                } else if (FRAMING_LETTERS.indexOf(c) >= 0 && insideFramingWord(bytes, i)) {
                    interesting.add(i);
                }
            }
            if (!interesting.isEmpty()) {
                return interesting.get(random.nextInt(interesting.size()));
            }
        }
        return random.nextInt(bytes.length);
    }

    private static boolean insideFramingWord(byte[] bytes, int i) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        for (String word : List.of("Transfer-Encoding", "Content-Length", "chunked")) {
            int at = text.indexOf(word);
            while (at >= 0) {
                if (i >= at && i < at + word.length()) {
                    return true;
                }
                at = text.indexOf(word, at + 1);
            }
        }
        return false;
    }

    private static byte[] apply(int op, int position, byte[] bytes, byte fresh) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1);
        out.write(bytes, 0, position);
        switch (op) {
            case 0 -> { // replace
                out.write(fresh);
                out.write(bytes, position + 1, bytes.length - position - 1);
            }
            case 1 -> { // insert before
                out.write(fresh);
                out.write(bytes, position, bytes.length - position);
            }
            case 2 -> // delete
                out.write(bytes, position + 1, bytes.length - position - 1);
            default -> { // duplicate
                out.write(bytes[position]);
                out.write(bytes, position, bytes.length - position);
            }
        }
        return out.toByteArray();
    }

    private static String describe(int op, int position, byte[] bytes, byte fresh) {
        String old = StrictRequestParser.printable(new byte[] {bytes[position]}, 1);
        String now = StrictRequestParser.printable(new byte[] {fresh}, 1);
        return switch (op) {
            case 0 -> "replace @" + position + " '" + old + "' with '" + now + "'";
            case 1 -> "insert '" + now + "' @" + position;
            case 2 -> "delete '" + old + "' @" + position;
            default -> "duplicate '" + old + "' @" + position;
        };
    }
}
