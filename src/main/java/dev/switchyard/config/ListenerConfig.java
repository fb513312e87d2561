package dev.switchyard.config;

import java.util.Objects;

/**
 * One address clients connect to. Immutable.
 *
 * @param name unique among listeners; names the listener in logs and metrics
 * @param bind local address; port 0 lets the OS pick one (tests)
 */
public record ListenerConfig(String name, HostPort bind) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
    }
}
