package dev.switchyard.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One latency series (one pool, or one server of one pool) as a Prometheus histogram, recorded
 * by every event loop at once without a write they share.
 *
 * <p>Why not Micrometer's {@code Timer}: its percentile histogram counts in one {@code
 * AtomicLongArray}, so two loops recording similar latencies increment the same cache line.
 * On this project's 2-core machine one record took 399 ns with a second thread recording at
 * once against 146 ns alone, and an exchange records two series (bench/jmh, {@code
 * LatencyRecordBenchmark}). Here each bucket is a {@link LongAdder}, which gives a contended
 * thread a cell of its own: 88 and 78 ns.
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

    /** One per bound, then +Inf. */
    private final LongAdder[] buckets = new LongAdder[UPPER_BOUNDS_NANOS.length + 1];

    private final LongAdder sumNanos = new LongAdder();
    private final TimeWindowMax max;

    LatencyHistogram(Clock clock) {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
        this.max = new TimeWindowMax(clock, CONFIG);
    }

    /** Counts one sample; a negative one (a clock step) is dropped, as Micrometer's timer does. */
    public void record(long nanos) {
        if (nanos < 0) {
            return;
        }
        buckets[bucketIndex(nanos)].increment();
        sumNanos.add(nanos);
        max.record((double) nanos, TimeUnit.NANOSECONDS);
    }

    /** The first bucket whose upper bound is at least {@code nanos}: Prometheus's {@code le}. */
    static int bucketIndex(long nanos) {
        int found = Arrays.binarySearch(UPPER_BOUNDS_NANOS, nanos);
        return found >= 0 ? found : -found - 1;
    }

    /** The counts now, one per bucket (not cumulative), +Inf last. */
    long[] counts() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return counts;
    }

    double sumSeconds() {
        return sumNanos.sum() / 1e9;
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
