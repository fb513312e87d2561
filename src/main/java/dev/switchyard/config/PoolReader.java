package dev.switchyard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one entry of {@code switchyard.pools}: strategy, servers, retries, health check.
 * Stateless; problems go to the {@link Node}'s {@link Problems}.
 */
final class PoolReader {

    private PoolReader() {}

    /**
     * The pool, or null after at least one problem with it was recorded. Every key is read even
     * after one fails, so a pool with three mistakes reports three lines.
     */
    static PoolConfig read(Node pool) {
        pool.rejectUnknownKeys(Schema.POOL);
        String strategy = strategy(pool);
        List<ServerConfig> servers = servers(pool);
        Integer retries = pool.integer("retries", Schema.DEFAULT_RETRIES);
        if (retries != null && retries < 0) {
            pool.reject("retries", "must be >= 0, got " + retries);
            retries = null;
        }
        // No block means no active checks; a block that fails to read must refuse the pool, never
        // leave it unchecked.
        Node check = pool.object("health-check");
        HealthCheckConfig healthCheck = check == null ? null : healthCheck(check);
        boolean healthCheckValid = !pool.has("health-check") || healthCheck != null;
        if (strategy == null || servers == null || retries == null || !healthCheckValid) {
            return null;
        }
        return new PoolConfig(pool.name(), strategy, servers, retries, healthCheck);
    }

    /** The strategy name if it is one config.md defines. */
    private static String strategy(Node pool) {
        return pool.choice("strategy", Schema.DEFAULT_STRATEGY, Schema.STRATEGIES);
    }

    /** The servers, or null if any is invalid; every invalid one is recorded, not just the first. */
    private static List<ServerConfig> servers(Node pool) {
        List<Node> nodes = pool.objectList("servers", "no servers: a pool needs at least one");
        if (nodes == null || nodes.isEmpty()) {
            return null;
        }
        List<ServerConfig> servers = new ArrayList<>();
        Map<String, Node> byAddress = new HashMap<>();
        boolean valid = true;
        for (Node server : nodes) {
            server.rejectUnknownKeys(Schema.SERVER);
            // Port 0 asks the OS for a free port when binding; there is no such thing when dialling.
            HostPort address = server.address("address", false);
            Integer weight = weight(server);
            Boolean backup = server.bool("backup", Schema.DEFAULT_BACKUP);
            if (address != null) {
                // Health state and counters are keyed by pool and address (config.md), so two
                // entries with one address would be one server counted twice.
                Node first = byAddress.putIfAbsent(sameAddressKey(address), server);
                if (first != null) {
                    server.reject("address", "duplicate address " + address + ", already at " + first.path());
                    address = null;
                }
            }
            if (address == null || weight == null || backup == null) {
                valid = false;
            } else {
                servers.add(new ServerConfig(address, weight, backup));
            }
        }
        return valid ? servers : null;
    }

    /** The weight within 1..MAX_WEIGHT; see {@link Schema#MAX_WEIGHT} for the upper bound. */
    private static Integer weight(Node server) {
        Integer weight = server.integer("weight", Schema.DEFAULT_WEIGHT);
        if (weight == null) {
            return null;
        }
        if (weight < 1) {
            // 0 would mean "never pick": that is what backup or removing the server are for.
            server.reject("weight", "must be >= 1, got " + weight);
            return null;
        }
        if (weight > Schema.MAX_WEIGHT) {
            server.reject("weight", "must be <= " + Schema.MAX_WEIGHT + ", got " + weight);
            return null;
        }
        return weight;
    }

    /** Host names are case-insensitive (RFC 4343), so WEB1:80 and web1:80 are one server. */
    private static String sameAddressKey(HostPort address) {
        return address.host().toLowerCase(Locale.ROOT) + " " + address.port();
    }

    /**
     * The health check, each key the block leaves out at its {@link Schema} default; null after a
     * problem. Keys only the HTTP probe uses are checked under {@code type = tcp} as well, so that
     * switching the type back cannot uncover an old mistake.
     */
    private static HealthCheckConfig healthCheck(Node check) {
        check.rejectUnknownKeys(Schema.HEALTH_CHECK);
        String type = probeType(check);
        String path = probePath(check);
        String host = check.has("host") ? probeHost(check) : null;
        boolean hostValid = !check.has("host") || host != null;
        Duration interval = check.positiveDuration("interval", Schema.DEFAULT_HEALTH_CHECK_INTERVAL);
        Duration timeout = check.positiveDuration("timeout", Schema.DEFAULT_HEALTH_CHECK_TIMEOUT);
        if (interval != null && timeout != null && timeout.compareTo(interval) > 0) {
            // Probes would overlap: the next one would start while the last is still waiting. A
            // short interval with the default timeout lands here too; say so, or the user hunts
            // for a timeout they never wrote.
            check.reject(
                    "timeout",
                    check.has("timeout")
                            ? "must not exceed interval (" + interval.toMillis() + "ms), got " + timeout.toMillis()
                                    + "ms"
                            : "the default timeout (" + timeout.toMillis() + "ms) exceeds interval ("
                                    + interval.toMillis() + "ms); write a timeout of at most the interval");
            timeout = null;
        }
        Integer healthyThreshold = threshold(check, "healthy-threshold", Schema.DEFAULT_HEALTHY_THRESHOLD);
        Integer unhealthyThreshold = threshold(check, "unhealthy-threshold", Schema.DEFAULT_UNHEALTHY_THRESHOLD);
        List<Integer> expectedStatuses = check.integerList(
                "expected-statuses", Schema.DEFAULT_EXPECTED_STATUSES, Schema.MIN_STATUS, Schema.MAX_STATUS);
        if (type == null
                || path == null
                || !hostValid
                || interval == null
                || timeout == null
                || healthyThreshold == null
                || unhealthyThreshold == null
                || expectedStatuses == null) {
            return null;
        }
        return new HealthCheckConfig(
                type, path, host, interval, timeout, healthyThreshold, unhealthyThreshold, expectedStatuses);
    }

    private static String probeType(Node check) {
        return check.choice("type", Schema.DEFAULT_HEALTH_CHECK_TYPE, Schema.HEALTH_CHECK_TYPES);
    }

    private static String probePath(Node check) {
        String path = check.string("path", Schema.DEFAULT_HEALTH_CHECK_PATH);
        if (path == null) {
            return null;
        }
        // The probe sends it in origin form, which always starts with "/" (RFC 9112 §3.2.1).
        if (!path.startsWith("/")) {
            check.reject("path", "must start with \"/\", got \"" + path + "\"");
            return null;
        }
        // The request line is split on spaces (RFC 9112 §3), and a CR or LF would end it early.
        if (path.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            check.reject("path", "must not contain spaces or control characters, got \"" + path + "\"");
            return null;
        }
        return path;
    }

    /** A Host header value: a name or address with an optional port (RFC 9110 §7.2). */
    private static String probeHost(Node check) {
        String host = check.string("host");
        if (host == null) {
            return null;
        }
        if (host.isBlank()) {
            check.reject("host", "must not be empty; leave host out to send the server's address");
            return null;
        }
        // A CR or LF here would let the config inject headers into every probe.
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c) || c == '/')) {
            check.reject("host", "not a host name: \"" + host + "\"");
            return null;
        }
        return host;
    }

    /** A count of probes in a row; 0 would flip the state without any probe at all. */
    private static Integer threshold(Node check, String key, int fallback) {
        Integer count = check.integer(key, fallback);
        if (count != null && count < 1) {
            check.reject(key, "must be >= 1, got " + count);
            return null;
        }
        return count;
    }
}
