package dev.switchyard.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-made number and time formatting writes exactly what the JDK's formatters wrote. */
class AccessLogFormatTest {

    @Test
    void millisAreWrittenAsStringFormatWroteThem() {
        long[] edges = {
            0, 1, 49_999, 50_000, 99_999, 100_000, 150_000, 2_950_000, 999_949_999, 999_950_000, 86_400_000_000_000L
        };
        for (long nanos : edges) {
            assertMillis(nanos);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            assertMillis(random.nextLong(0, 10_000_000_000L));
        }
    }

    @Test
    void timesAreWrittenAsInstantWroteThem() {
        TimeText time = new TimeText();
        long start = 1_795_000_000_000L;
        long[] edges = {0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1010, 1100, 60_000, 86_400_000};
        for (long offset : edges) {
            assertTime(time, start + offset);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            assertTime(time, start + random.nextLong(0, 5_000_000L));
        }
    }

    @Test
    void aJsonLineHasEveryField() {
        StringBuilder out = new StringBuilder();
        AccessLogEntry entry = new AccessLogEntry(
                1_795_000_000_250L,
                "127.0.0.1",
                "GET",
                "/a\"b",
                "HTTP/1.1",
                200,
                100,
                "web",
                "s1",
                2_950_000,
                3_040_000,
                0,
                "id-1");
        AccessLogFormat.JSON.append(out, entry, new TimeText());
        assertThat(out.toString())
                .isEqualTo("{\"time\":\"" + Instant.ofEpochMilli(1_795_000_000_250L)
                        + "\",\"client\":\"127.0.0.1\",\"method\":\"GET\",\"path\":\"/a\\\"b\",\"version\":\"HTTP/1.1\","
                        + "\"status\":200,\"bytes\":100,\"pool\":\"web\",\"server\":\"s1\",\"upstream_ms\":3.0,"
                        + "\"total_ms\":3.0,\"retries\":0,\"request_id\":\"id-1\"}\n");
    }

    private static void assertMillis(long nanos) {
        StringBuilder out = new StringBuilder();
        AccessLogFormat.appendMillis(out, nanos);
        assertThat(out.toString()).as("%d ns", nanos).isEqualTo(String.format(Locale.ROOT, "%.1f", nanos / 1e6));
    }

    private static void assertTime(TimeText time, long epochMillis) {
        StringBuilder out = new StringBuilder();
        time.append(out, epochMillis);
        assertThat(out.toString()).isEqualTo(Instant.ofEpochMilli(epochMillis).toString());
    }
}
