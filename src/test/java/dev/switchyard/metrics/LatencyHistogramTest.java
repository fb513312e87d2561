package dev.switchyard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    /** Below the first bound, on a bound, just past it, in the middle, and past the last one. */
    private static final long[] SAMPLES_NANOS = {
        0, 50_000, 100_000, 100_001, 1_048_576, 1_048_577, 3_000_000, 250_000_000, 59_000_000_000L, 90_000_000_000L
    };

    /**
     * The series were Micrometer timers until their recording cost showed (LatencyHistogram's
     * javadoc). Dashboards and alerts read these lines, so for the same samples the scrape must
     * be line for line what the timer rendered: names, help, labels, every le, count, sum, max.
     */
    @Test
    void scrapeReadsExactlyAsMicrometersTimerDid() {
        MockClock clock = new MockClock();
        PrometheusMeterRegistry timers =
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        Timer timer = Timer.builder("switchyard.upstream.duration")
                .description("help text")
                .tags("pool", "web", "server", "127.0.0.1:8080")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(timers);
        PrometheusMeterRegistry ours =
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        LatencyHistograms histograms = new LatencyHistograms(clock);
        LatencyHistograms.Family family =
                histograms.family("switchyard_upstream_duration_seconds", "help text", "pool", "server");
        ours.getPrometheusRegistry().register(histograms);
        LatencyHistogram histogram = family.series("web", "127.0.0.1:8080");

        for (long nanos : SAMPLES_NANOS) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
            histogram.record(nanos);
        }

        String expected = timers.scrape();
        assertThat(expected).contains("le=\"0.001048576\"} 5").contains("_max{");
        assertThat(ours.scrape()).isEqualTo(expected);
    }

    @Test
    void aSampleOnABoundCountsInThatBucketAndOnePastItInTheNext() {
        long[] bounds = LatencyHistogram.UPPER_BOUNDS_NANOS;
        assertThat(bounds[0]).isEqualTo(100_000);
        assertThat(bounds[bounds.length - 1]).isGreaterThanOrEqualTo(60_000_000_000L);
        assertThat(bounds).hasSizeBetween(80, 100).isSorted();
        assertThat(LatencyHistogram.bucketIndex(0)).isZero();
        assertThat(LatencyHistogram.bucketIndex(bounds[0])).isZero();
        assertThat(LatencyHistogram.bucketIndex(bounds[0] + 1)).isEqualTo(1);
        assertThat(LatencyHistogram.bucketIndex(bounds[40])).isEqualTo(40);
        assertThat(LatencyHistogram.bucketIndex(bounds[bounds.length - 1] + 1)).isEqualTo(bounds.length);
    }

    @Test
    void twoThreadsRecordingAtOnceLoseNoSample() throws Exception {
        LatencyHistogram histogram = new LatencyHistogram(new MockClock());
        int perThread = 200_000;
        CyclicBarrier start = new CyclicBarrier(2);
        List<Thread> threads = List.of(
                new Thread(() -> record(histogram, start, perThread, 1_000_000)),
                new Thread(() -> record(histogram, start, perThread, 1_000_001)));
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(60_000);
        }

        long[] counts = histogram.counts();
        int bucket = LatencyHistogram.bucketIndex(1_000_000);
        assertThat(LatencyHistogram.bucketIndex(1_000_001)).isEqualTo(bucket);
        assertThat(counts[bucket]).isEqualTo(2L * perThread);
        assertThat(java.util.Arrays.stream(counts).sum()).isEqualTo(2L * perThread);
        assertThat(histogram.sumSeconds()).isEqualTo(perThread * 2_000_001L / 1e9);
    }

    private static void record(LatencyHistogram histogram, CyclicBarrier start, int times, long nanos) {
        try {
            start.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < times; i++) {
            histogram.record(nanos);
        }
    }

    @Test
    void quantileIsTheUpperBoundOfTheBucketHoldingIt() {
        LatencyHistogram histogram = new LatencyHistogram(new MockClock());
        assertThat(histogram.quantileUpperBoundMillis(0.99)).isNaN();

        for (int i = 0; i < 99; i++) {
            histogram.record(1_000_000);
        }
        histogram.record(50_000_000);
        long bound = LatencyHistogram.UPPER_BOUNDS_NANOS[LatencyHistogram.bucketIndex(1_000_000)];
        assertThat(histogram.quantileUpperBoundMillis(0.99)).isEqualTo(bound / 1e6);

        histogram.record(120_000_000_000L);
        histogram.record(120_000_000_000L);
        assertThat(histogram.quantileUpperBoundMillis(0.99)).isEqualTo(120_000.0);
    }

    @Test
    void aNegativeSampleIsDropped() {
        LatencyHistogram histogram = new LatencyHistogram(new MockClock());
        histogram.record(-5);
        assertThat(java.util.Arrays.stream(histogram.counts()).sum()).isZero();
        assertThat(histogram.sumSeconds()).isZero();
    }
}
