package dev.switchyard.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Every deadline the proxy enforces; all positive. Immutable.
 *
 * @param connect          TCP connect to a backend
 * @param clientHeader     a client must send its whole request head within this
 * @param clientBody       longest silence between two pieces of a request body
 * @param clientIdle       an idle keep-alive client connection is closed after this
 * @param upstreamResponse a backend must start its response within this, else 504
 * @param shutdownGrace    on SIGTERM, how long requests in flight may take to finish
 */
public record Timeouts(
        Duration connect,
        Duration clientHeader,
        Duration clientBody,
        Duration clientIdle,
        Duration upstreamResponse,
        Duration shutdownGrace) {

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(clientHeader, "clientHeader");
        Objects.requireNonNull(clientBody, "clientBody");
        Objects.requireNonNull(clientIdle, "clientIdle");
        Objects.requireNonNull(upstreamResponse, "upstreamResponse");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }
}
