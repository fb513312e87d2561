package dev.switchyard.accesslog;

import java.time.Instant;

/**
 * An access-log line's time, as {@link Instant#toString} writes it ("2026-11-26T04:17:55.762Z",
 * no fraction on a whole second), with the date and time formatted once per second instead of
 * once per line. One per writer thread: not thread-safe.
 */
final class TimeText {

    private long second = Long.MIN_VALUE;
    private String prefix = "";

    void append(StringBuilder out, long epochMillis) {
        long now = Math.floorDiv(epochMillis, 1000);
        if (now != second) {
            String whole = Instant.ofEpochSecond(now).toString();
            prefix = whole.substring(0, whole.length() - 1);
            second = now;
        }
        out.append(prefix);
        int millis = Math.floorMod(epochMillis, 1000);
        if (millis != 0) {
            out.append('.')
                    .append((char) ('0' + millis / 100))
                    .append((char) ('0' + millis / 10 % 10))
                    .append((char) ('0' + millis % 10));
        }
        out.append('Z');
    }
}
