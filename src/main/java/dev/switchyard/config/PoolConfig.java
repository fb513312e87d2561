package dev.switchyard.config;

import java.util.List;
import java.util.Objects;

/**
 * A named group of servers and the strategy that picks among them. Immutable.
 *
 * @param name        the key under {@code switchyard.pools}; routes refer to it
 * @param strategy    a strategy name the loader accepted, e.g. {@code round-robin}
 * @param servers     at least one, addresses unique within the pool, in file order
 * @param retries     extra attempts on another server after a failure, 0 or more
 * @param healthCheck active probing of the servers; null if the pool has no {@code health-check}
 *                    block, and then its servers count as UP
 */
public record PoolConfig(
        String name, String strategy, List<ServerConfig> servers, int retries, HealthCheckConfig healthCheck) {

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        servers = List.copyOf(servers);
    }
}
