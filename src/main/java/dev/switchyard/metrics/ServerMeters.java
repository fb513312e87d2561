package dev.switchyard.metrics;

import dev.switchyard.counter.StripedLongs;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Server;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of one server of one pool. Responses and upstream time are recorded here; the
 * live figures (in-flight, open connections, health, failures, ejections) are read from the
 * server's own atomics at scrape time, so the data path pays nothing for them. Thread-safe.
 */
final class ServerMeters {

    /** Counter 0 for 1xx … 4 for 5xx. */
    private final StripedLongs responsesByClass;

    private final LatencyHistogram upstreamTime;

    ServerMeters(Metrics metrics, String pool, Server server) {
        MeterRegistry registry = metrics.registry();
        Tags tags = Tags.of("pool", pool, "server", server.label());
        responsesByClass = metrics.serverResponses(pool, server.label());
        upstreamTime = metrics.upstreamDuration(pool, server.label());
        Gauge.builder("switchyard.server.in.flight", server, Server::inFlight)
                .description("Requests in service on this server now")
                .tags(tags)
                .register(registry);
        Gauge.builder("switchyard.server.open.connections", server, Server::openConnections)
                .description("Open connections to this server, idle ones included")
                .tags(tags)
                .register(registry);
        Gauge.builder("switchyard.server.up", server, s -> s.state() == HealthState.UP ? 1 : 0)
                .description("1 while the server takes traffic, 0 while DOWN or DRAINING")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("switchyard.server.failures", server, Server::failures)
                .description("Connect failures, resets, timeouts and invalid answers seen on live traffic")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("switchyard.server.connect.failures", server, Server::connectFailures)
                .description("Connects to this server that failed or timed out")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("switchyard.server.ejections", server, Server::ejections)
                .description("Times this server went from UP to DOWN")
                .tags(tags)
                .register(registry);
    }

    /** The p99 of upstream time since start, at most one bucket (~25%) high; NaN before the first sample. */
    double p99Millis() {
        return upstreamTime.quantileUpperBoundMillis(0.99);
    }

    void response(int status, long upstreamNanos) {
        int index = status / 100 - 1;
        if (index >= 0 && index < responsesByClass.counters()) {
            responsesByClass.increment(index);
        }
        if (upstreamNanos > 0) {
            upstreamTime.record(upstreamNanos);
        }
    }
}
