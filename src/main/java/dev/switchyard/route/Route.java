package dev.switchyard.route;

import java.util.Objects;

/**
 * One routing rule: requests for {@code host} whose path starts with {@code pathPrefix} go to
 * {@code target}. Immutable.
 *
 * @param host the host to match, case-insensitive and without a port; {@code null} matches any
 *     host, including a request that names none. An IPv6 literal may be written with or without
 *     its brackets ({@code "[::1]"} or {@code "::1"}).
 * @param pathPrefix a plain string prefix of the request path ({@code "/api"} also matches
 *     {@code "/apiary"}); {@code ""} matches every request
 * @param target what a matching request is sent to, typically a pool
 * @param <P> the target type
 */
public record Route<P>(String host, String pathPrefix, P target) {

    public Route {
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        // A null target would be indistinguishable from "no route matched".
        Objects.requireNonNull(target, "target");
        if (host != null && host.isEmpty()) {
            throw new IllegalArgumentException("host must be null (any) or non-empty");
        }
        if (host != null && hasPort(host)) {
            // Routing ignores the request's port, so a route host with one could never match.
            throw new IllegalArgumentException("host must not carry a port: " + host);
        }
    }

    /** "[v6]:port", or one colon outside brackets ("name:port"); a bare IPv6 literal has two or more. */
    private static boolean hasPort(String host) {
        if (host.charAt(0) == '[') {
            return !host.endsWith("]");
        }
        int colon = host.indexOf(':');
        return colon >= 0 && colon == host.lastIndexOf(':');
    }
}
