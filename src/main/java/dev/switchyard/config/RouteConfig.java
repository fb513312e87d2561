package dev.switchyard.config;

import java.util.Objects;

/**
 * Which pool serves a request. Immutable; routes are tried in file order and the first match wins.
 *
 * @param host       compared case-insensitively with the request's host, port ignored;
 *                   null matches any host
 * @param pathPrefix plain string prefix of the request path, always starting with "/"
 * @param pool       name of a pool that exists in the same config
 */
public record RouteConfig(String host, String pathPrefix, String pool) {

    public RouteConfig {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        Objects.requireNonNull(pool, "pool");
    }
}
