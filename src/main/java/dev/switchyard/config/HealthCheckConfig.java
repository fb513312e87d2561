package dev.switchyard.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a pool probes its servers. Immutable. A pool has one only if its file writes a
 * {@code health-check} block; every key the block leaves out takes its default from
 * {@link Schema}, so {@code health-check = {}} is an HTTP check with all defaults.
 *
 * @param type               {@code http} (GET path, read the status) or {@code tcp} (connect only)
 * @param path               request target of the HTTP probe, starting with "/"; default
 *                           {@code /health}; unused by {@code tcp}
 * @param host               Host header of the HTTP probe; null sends the server's address
 * @param interval           time between two probes of one server; default 2s
 * @param timeout            a probe not passed within this fails; positive, at most interval;
 *                           default 1s
 * @param healthyThreshold   passes in a row that bring a DOWN server UP, at least 1; default 2
 * @param unhealthyThreshold failures in a row that mark an UP server DOWN, at least 1; default 3
 * @param expectedStatuses   statuses (100 to 599) an HTTP probe passes on, in file order; empty
 *                           (the default) means any 2xx or 3xx
 */
public record HealthCheckConfig(
        String type,
        String path,
        String host,
        Duration interval,
        Duration timeout,
        int healthyThreshold,
        int unhealthyThreshold,
        List<Integer> expectedStatuses) {

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        expectedStatuses = List.copyOf(expectedStatuses);
    }
}
