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

    private PoolReader() {
    }

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
        Node healthCheck = pool.object("health-check");
        if (healthCheck != null) {
            refuseHealthCheck(healthCheck);
        }
        // A health-check block always refuses the pool (see refuseHealthCheck), valid or not.
        if (strategy == null || servers == null || retries == null || healthCheck != null) {
            return null;
        }
        return new PoolConfig(pool.name(), strategy, servers, retries);
    }

    /**
     * The strategy name if known and implemented. Known-but-not-yet names get their own reason,
     * since "unknown strategy" would tell the user a contract value is a typo.
     */
    private static String strategy(Node pool) {
        String name = pool.string("strategy", Schema.DEFAULT_STRATEGY);
        if (name == null) {
            return null;
        }
        if (!Schema.STRATEGIES.contains(name)) {
            pool.reject("strategy", "unknown strategy \"" + name + "\"" + Spelling.hint(name, Schema.STRATEGIES)
                    + " (valid: " + String.join(", ", Schema.STRATEGIES) + ")");
            return null;
        }
        String notYet = Schema.NOT_SUPPORTED_STRATEGIES.get(name);
        if (notYet != null) {
            pool.reject("strategy", notYet);
            return null;
        }
        return name;
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
     * Type-checks a health-check block so that its errors are found now, then refuses it: running
     * a pool without the checks its owner asked for would hide dead servers until traffic hit them.
     */
    private static void refuseHealthCheck(Node check) {
        check.rejectUnknownKeys(Schema.HEALTH_CHECK);
        if (check.has("path")) {
            String path = check.string("path");
            if (path != null && !path.startsWith("/")) {
                check.reject("path", "must start with \"/\", got \"" + path + "\"");
            }
        }
        Duration interval = check.has("interval") ? check.positiveDuration("interval") : null;
        Duration timeout = check.has("timeout") ? check.positiveDuration("timeout") : null;
        if (interval != null && timeout != null && timeout.compareTo(interval) > 0) {
            // Probes would overlap: the next one would start while the last is still waiting.
            check.reject("timeout", "must not exceed interval (" + interval.toMillis() + "ms), got "
                    + timeout.toMillis() + "ms");
        }
        for (String threshold : List.of("healthy-threshold", "unhealthy-threshold")) {
            Integer count = check.has(threshold) ? check.integer(threshold) : null;
            if (count != null && count < 1) {
                check.reject(threshold, "must be >= 1, got " + count);
            }
        }
        check.rejectSelf(Schema.HEALTH_CHECK_NOT_SUPPORTED);
    }
}
