package dev.switchyard.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording one latency costs, alone and with a second thread recording into the same
 * series at once (run with {@code -t 1} and {@code -t 2}): the Micrometer timer Switchyard used
 * to record with, against {@link LatencyHistogram}. Each exchange records two series, on
 * whichever event loop serves it; with N loops, N threads record into a pool's series.
 *
 * <p>The samples cycle through 64 latencies between 0.5 and 2 ms, so they fall into a few
 * neighbouring buckets as a loaded pool's do. JMH's threads are not event loops, so each takes
 * the stripe its thread id falls on (LoopThreads); two consecutive ids never share one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LatencyRecordBenchmark {

    private Timer timer;
    private LatencyHistogram histogram;

    /** Per thread: where it is in the sample cycle. */
    @State(Scope.Thread)
    public static class Samples {
        final long[] nanos = new long[64];
        int next;

        @Setup
        public void fill() {
            for (int i = 0; i < nanos.length; i++) {
                nanos[i] = 500_000 + i * 23_437L;
            }
        }

        long next() {
            next = (next + 1) & (nanos.length - 1);
            return nanos[next];
        }
    }

    @Setup
    public void meters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        timer = Timer.builder("switchyard.request.duration")
                .tags("pool", "web")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        histogram = new LatencyHistogram(Clock.SYSTEM);
    }

    @Benchmark
    public void micrometerTimer(Samples samples) {
        timer.record(samples.next(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void latencyHistogram(Samples samples) {
        histogram.record(samples.next());
    }
}
