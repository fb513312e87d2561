package dev.switchyard.config;

import java.util.Objects;

/**
 * The admin endpoint ({@code GET /status}, {@code GET /metrics} and the status page at {@code GET /}).
 * Immutable.
 *
 * @param bind local address; port 0 lets the OS pick one (tests); never the host and port of a
 *             listener
 */
public record AdminConfig(HostPort bind) {

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
    }
}
