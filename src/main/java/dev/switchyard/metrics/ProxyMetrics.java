package dev.switchyard.metrics;

import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.IdentityHashMap;

/**
 * What the proxy records per exchange, in one object (style.md rule 9). The pool and server
 * maps are filled before traffic starts and only read afterwards, so the data path does two
 * identity lookups and a few adds to the current loop's counters (counter.StripedLongs): no
 * lock, no allocation, no cache line another loop writes.
 */
public final class ProxyMetrics {

    private final MeterRegistry registry;
    private final IdentityHashMap<Pool, PoolMeters> pools = new IdentityHashMap<>();
    private final Counter[] localByClass = new Counter[5];

    public ProxyMetrics(Metrics metrics, Iterable<Pool> pools) {
        this.registry = metrics.registry();
        for (Pool pool : pools) {
            this.pools.put(pool, new PoolMeters(metrics, pool));
        }
        for (int i = 0; i < localByClass.length; i++) {
            localByClass[i] = Counter.builder("switchyard.local.responses")
                    .description("Answers Switchyard gave itself without a pool (404, 400, 408, 431, ...)")
                    .tag("status_class", (i + 1) + "xx")
                    .register(registry);
        }
    }

    /** One exchange ended with {@code status}; {@code server} is null when none answered. */
    public void exchange(Pool pool, Server server, int status, long totalNanos, long upstreamNanos) {
        PoolMeters meters = pools.get(pool);
        if (meters != null) {
            meters.exchange(server, status, totalNanos, upstreamNanos);
        }
    }

    public void retried(Pool pool) {
        PoolMeters meters = pools.get(pool);
        if (meters != null) {
            meters.retries.increment();
        }
    }

    /** An answer the frontend gave by itself, before any pool. */
    public void localResponse(int status) {
        int index = status / 100 - 1;
        if (index >= 0 && index < localByClass.length) {
            localByClass[index].increment();
        }
    }

    /** The p99 of a server's upstream time in ms over the last minute, for the status page; NaN if unknown. */
    public double upstreamP99Millis(Pool pool, Server server) {
        PoolMeters meters = pools.get(pool);
        ServerMeters serverMeters = meters == null ? null : meters.servers.get(server);
        return serverMeters == null ? Double.NaN : serverMeters.p99Millis();
    }

    private static final class PoolMeters {
        final LatencyHistogram latency;
        final Counter retries;
        final Counter noServer;
        final IdentityHashMap<Server, ServerMeters> servers = new IdentityHashMap<>();

        PoolMeters(Metrics metrics, Pool pool) {
            MeterRegistry registry = metrics.registry();
            Tags tags = Tags.of("pool", pool.name());
            latency = metrics.requestDuration(pool.name());
            retries = Counter.builder("switchyard.retries")
                    .description("Requests sent again to another server")
                    .tags(tags)
                    .register(registry);
            noServer = Counter.builder("switchyard.requests.unserved")
                    .description("Requests answered 5xx by Switchyard because no server could serve them")
                    .tags(tags)
                    .register(registry);
            for (Server server : pool.servers()) {
                servers.put(server, new ServerMeters(metrics, pool.name(), server));
            }
        }

        void exchange(Server server, int status, long totalNanos, long upstreamNanos) {
            latency.record(totalNanos);
            ServerMeters meters = server == null ? null : servers.get(server);
            if (meters != null) {
                meters.response(status, upstreamNanos);
            } else if (status >= 500) {
                // A request given up for the client's sake (499, or a 408/413/400 for its body)
                // is not one that no server could serve.
                noServer.increment();
            }
        }
    }
}
