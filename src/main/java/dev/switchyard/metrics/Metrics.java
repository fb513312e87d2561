package dev.switchyard.metrics;

import dev.switchyard.counter.StripedLongs;
import dev.switchyard.upstream.Transport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.util.internal.PlatformDependent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The one place that names every meter (architecture.md): a Prometheus registry with the
 * JVM's and Netty's memory figures, and factories for the proxy's and listeners' meters.
 * Names follow Prometheus conventions once rendered ({@code _total}, {@code _seconds},
 * {@code _bytes}). Thread-safe; meters are created at start, recorded from any loop.
 */
public final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<List<String>, StripedLongs> responsesByServer = new ConcurrentHashMap<>();
    private final LatencyHistograms latencies =
            new LatencyHistograms(registry.config().clock());
    private final LatencyHistograms.Family requestDuration = latencies.family(
            "switchyard_request_duration_seconds",
            "Client-seen time from the request head to the end of the response",
            "pool");
    private final LatencyHistograms.Family upstreamDuration = latencies.family(
            "switchyard_upstream_duration_seconds",
            "From sending the request to a server to the end of its response",
            "pool",
            "server");

    public Metrics() {
        // Beside Micrometer's meters in the same registry, so one scrape renders both.
        registry.getPrometheusRegistry().register(latencies);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindNettyMemory();
    }

    private void bindNettyMemory() {
        Gauge.builder("switchyard.netty.direct.memory.used", PlatformDependent::usedDirectMemory)
                .description("Direct memory Netty has reserved (-1 when the JDK counts it instead)")
                .baseUnit("bytes")
                .register(registry);
        // The allocator the proxied connections use.
        ByteBufAllocatorMetric metric = Transport.ALLOCATOR.metric();
        Gauge.builder("switchyard.netty.allocator.direct.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
                .description("Direct memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("switchyard.netty.allocator.heap.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
                .description("Heap memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Access-log lines dropped because the writer fell behind. */
    public void accessLogDrops(LongSupplier dropped) {
        FunctionCounter.builder("switchyard.access.log.dropped", dropped, LongSupplier::getAsLong)
                .description("Access-log lines dropped because the writer thread fell behind")
                .register(registry);
    }

    /** The meters of a listener, the same ones for its name across reloads. */
    public ListenerMeters listener(String name) {
        return listeners.computeIfAbsent(name, n -> new ListenerMeters(registry, n));
    }

    /**
     * A server's responses by status class, counter 0 for 1xx to 4 for 5xx, counted per loop
     * and summed at scrape time; the same counters for the pool and server across reloads.
     */
    StripedLongs serverResponses(String pool, String server) {
        return responsesByServer.computeIfAbsent(List.of(pool, server), key -> {
            StripedLongs responses = new StripedLongs(5);
            for (int i = 0; i < responses.counters(); i++) {
                int statusClass = i;
                FunctionCounter.builder("switchyard.requests", responses, r -> r.sum(statusClass))
                        .description("Responses sent to clients, by the backend that served them and status class")
                        .tags("pool", pool, "server", server, "status_class", (i + 1) + "xx")
                        .register(registry);
            }
            return responses;
        });
    }

    /**
     * A pool's client-seen latency. Like the upstream one, a Prometheus histogram of about 90
     * buckets from 100 µs to 60 s, each within ~25% of the next: fine enough for {@code
     * histogram_quantile} to give p50 to p99.9 and, unlike client-side quantiles, summable
     * across instances. Recorded per exchange from every loop; see {@link LatencyHistogram}
     * for why it is not a Micrometer timer.
     */
    public LatencyHistogram requestDuration(String pool) {
        return requestDuration.series(pool);
    }

    /** A server's upstream time, from sending the request to the end of its response. */
    public LatencyHistogram upstreamDuration(String pool, String server) {
        return upstreamDuration.series(pool, server);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
