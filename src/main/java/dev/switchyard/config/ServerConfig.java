package dev.switchyard.config;

import java.util.Objects;

/**
 * One backend server of a pool. Immutable.
 *
 * @param address where the backend listens; never port 0
 * @param weight  share of the pool's traffic relative to its siblings, at least 1
 * @param backup  true if the server takes traffic only while no primary of its pool is UP
 */
public record ServerConfig(HostPort address, int weight, boolean backup) {

    public ServerConfig {
        Objects.requireNonNull(address, "address");
    }
}
