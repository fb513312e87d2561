package dev.switchyard.metrics;

import dev.switchyard.counter.StripedLongs;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One latency series (one pool, or one server of one pool) as a Prometheus histogram, recorded
 * by every event loop at once without a write they share.
 *
 * <p>Why not Micrometer's {@code Timer}: its percentile histogram counts in one {@code
 * AtomicLongArray}, so two loops recording similar latencies increment the same cache line.
 * On this project's 2-core machine one record took 424 ns with a second thread recording at
 * once against 153 ns alone, and an exchange records two series (bench/jmh, {@code
 * LatencyRecordBenchmark}). Here the buckets and the sum are {@link StripedLongs}: each loop
 * counts in its own stripe, summed at scrape time (81 and 84 ns).
 *
 * <p>The buckets, the sum and the time-windowed max are Micrometer's for a timer with a
 * percentile histogram from 100 µs to 60 s, so {@code /metrics} reads exactly as it did with
 * the {@code Timer} ({@link LatencyHistograms} renders it). The count is the sum of the
 * buckets, so a scrape never sees them disagree.
 */
public final class LatencyHistogram {

    /** Micrometer's timer configuration for these series; its buckets are nanoseconds. */
    static final DistributionStatisticConfig CONFIG = DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .minimumExpectedValue((double) TimeUnit.MICROSECONDS.toNanos(100))
            .maximumExpectedValue((double) TimeUnit.SECONDS.toNanos(60))
            .build()
            .merge(DistributionStatisticConfig.DEFAULT);

    /** Upper bounds in nanoseconds, ascending; a sample above the last counts in +Inf. */
    static final long[] UPPER_BOUNDS_NANOS = CONFIG.getHistogramBuckets(true).stream()
            .mapToLong(Double::longValue)
            .toArray();

    /** Counters 0 to n - 1 for the bounds, n for +Inf. */
    private static final int INFINITY = UPPER_BOUNDS_NANOS.length;

    private static final int SUM_NANOS = INFINITY + 1;

    private final StripedLongs cells = new StripedLongs(SUM_NANOS + 1);
    private final TimeWindowMax max;

    LatencyHistogram(Clock clock) {
        this.max = new TimeWindowMax(clock, CONFIG);
    }

    /** Counts one sample; a negative one (a clock step) is dropped, as Micrometer's timer does. */
    public void record(long nanos) {
        if (nanos < 0) {
            return;
        }
        cells.increment(bucketIndex(nanos));
        cells.add(SUM_NANOS, nanos);
        max.record((double) nanos, TimeUnit.NANOSECONDS);
    }

    /** The first bucket whose upper bound is at least {@code nanos}: Prometheus's {@code le}. */
    static int bucketIndex(long nanos) {
        int found = Arrays.binarySearch(UPPER_BOUNDS_NANOS, nanos);
        return found >= 0 ? found : -found - 1;
    }

    /** The counts now, one per bucket (not cumulative), +Inf last. */
    long[] counts() {
        long[] counts = new long[INFINITY + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = cells.sum(i);
        }
        return counts;
    }

    double sumSeconds() {
        return cells.sum(SUM_NANOS) / 1e9;
    }

    /** The largest sample of the last two minutes or so, as Micrometer's timer reports it. */
    double maxSeconds() {
        return max.poll(TimeUnit.SECONDS);
    }

    /**
     * The upper bound of the first bucket that holds {@code quantile} of all samples so far, so
     * at most one bucket (~25 %) high; the max seen recently when that bucket is +Inf, NaN before
     * the first sample. For the status page: Prometheus users compute their own.
     */
    double quantileUpperBoundMillis(double quantile) {
        long[] counts = counts();
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double wanted = total * quantile;
        long cumulative = 0;
        for (int i = 0; i < UPPER_BOUNDS_NANOS.length; i++) {
            cumulative += counts[i];
            if (cumulative >= wanted) {
                return UPPER_BOUNDS_NANOS[i] / 1e6;
            }
        }
        return max.poll(TimeUnit.MILLISECONDS);
    }
}
