package dev.switchyard.testkit;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The bytes TestBackend's /download sends, generated on the fly as a stream of any length, so
 * uploads and downloads of many MiB can be compared without holding them; plus the sha256 of
 * any stream.
 */
public final class PatternStream extends InputStream {

    private final long size;
    private long position;

    public PatternStream(long size) {
        this.size = size;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(length, size - position);
        System.arraycopy(TestBackend.downloadBytesAt(position, n), 0, buffer, offset, n);
        position += n;
        return n;
    }

    /** Reads {@code in} to its end (and closes it); the lower-case hex sha256 of what it held. */
    public static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
