package dev.switchyard.config;

import java.util.Objects;

/**
 * The admin endpoint ({@code GET /status}, {@code GET /metrics}, the status page at {@code GET /}
 * and the mutating {@code POST} endpoints). Immutable.
 *
 * @param bind  local address; port 0 lets the OS pick one (tests); never the host and port of a
 *              listener
 * @param token the secret a mutating request must present as {@code Authorization: Bearer <token>},
 *              or null when none is set (allowed only on a loopback bind)
 */
public record AdminConfig(HostPort bind, String token) {

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
    }

    public boolean hasToken() {
        return token != null;
    }

    /** Keeps the secret out of logs and error messages that print the config. */
    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", token=" + (token == null ? "none" : "<set>") + "]";
    }
}
