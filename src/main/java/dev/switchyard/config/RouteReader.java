package dev.switchyard.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code switchyard.routes} and checks routes and pools against each other: every route
 * names a pool that exists, every pool is named by a route, and every route can match something.
 * Stateless; problems go to the {@link Node}'s {@link Problems}.
 */
final class RouteReader {

    private RouteReader() {}

    /**
     * The routes, or null after at least one problem was recorded.
     *
     * @param poolNames every key under {@code switchyard.pools}, valid or not, so that a route is
     *                  not also blamed for a pool whose own problem was already reported; null if
     *                  {@code switchyard.pools} itself is unreadable
     * @param pools     the pool nodes, to blame the ones no route names
     */
    static List<RouteConfig> read(Node switchyard, List<String> poolNames, List<Node> pools) {
        List<Node> nodes =
                switchyard.objectList("routes", "no routes: every request would get 404; add at least one route");
        if (nodes == null) {
            return null;
        }
        List<RouteConfig> routes = new ArrayList<>();
        List<Node> routeNodes = new ArrayList<>();
        Set<String> named = new HashSet<>();
        boolean valid = true;
        boolean everyPoolKeyRead = true;
        for (Node route : nodes) {
            route.rejectUnknownKeys(Schema.ROUTE);
            String host = route.has("host") ? host(route) : null;
            boolean hostValid = !route.has("host") || host != null;
            String pathPrefix = pathPrefix(route);
            String pool = route.string("pool");
            if (pool != null) {
                named.add(pool);
                pool = existingPool(route, pool, poolNames);
            } else {
                everyPoolKeyRead = false;
            }
            if (!hostValid || pathPrefix == null || pool == null) {
                valid = false;
                continue;
            }
            RouteConfig config = new RouteConfig(host, pathPrefix, pool);
            valid &= isReachable(route, config, routes, routeNodes);
            routes.add(config);
            routeNodes.add(route);
        }
        // A pool is unused only if every route said which pool it wants, and the check is moot
        // when no route was written: "no routes" already says it.
        if (!nodes.isEmpty() && everyPoolKeyRead) {
            for (Node pool : pools) {
                if (!named.contains(pool.name())) {
                    pool.rejectSelf("no route names this pool; add a route to it or remove it");
                }
            }
        }
        return valid && !nodes.isEmpty() ? routes : null;
    }

    private static String host(Node route) {
        String host = route.string("host");
        if (host == null) {
            return null;
        }
        if (host.isBlank()) {
            route.reject("host", "must not be empty; leave host out to match any host");
            return null;
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            route.reject("host", "not a host name: \"" + host + "\"");
            return null;
        }
        // The router drops the port from the request's Host header before comparing, so a route
        // host with a port could never match.
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && !host.endsWith("]")) {
            route.reject("host", "must not include a port (routes ignore it), got \"" + host + "\"");
            return null;
        }
        return host;
    }

    private static String pathPrefix(Node route) {
        String prefix = route.string("path-prefix", Schema.DEFAULT_PATH_PREFIX);
        // Request paths in origin form always start with "/" (RFC 9112 §3.2.1), so a prefix
        // without one matches nothing.
        if (prefix != null && !prefix.startsWith("/")) {
            route.reject("path-prefix", "must start with \"/\", got \"" + prefix + "\"");
            return null;
        }
        return prefix;
    }

    private static String existingPool(Node route, String pool, List<String> poolNames) {
        if (poolNames == null) {
            return pool;
        }
        if (poolNames.isEmpty()) {
            route.reject("pool", "no pool named \"" + pool + "\": switchyard.pools is empty");
            return null;
        }
        if (!poolNames.contains(pool)) {
            route.reject(
                    "pool",
                    "no pool named \"" + pool + "\"" + Spelling.hint(pool, poolNames) + " (pools: "
                            + String.join(", ", poolNames) + ")");
            return null;
        }
        return pool;
    }

    /**
     * False, after recording it, if an earlier route matches every request this one would: first
     * match wins, so this route is dead and its author expected otherwise.
     */
    private static boolean isReachable(
            Node route, RouteConfig config, List<RouteConfig> earlier, List<Node> earlierNodes) {
        for (int i = 0; i < earlier.size(); i++) {
            RouteConfig before = earlier.get(i);
            boolean hostCovered = before.host() == null
                    || (config.host() != null && before.host().equalsIgnoreCase(config.host()));
            if (hostCovered && config.pathPrefix().startsWith(before.pathPrefix())) {
                route.rejectSelf("unreachable: " + earlierNodes.get(i).path()
                        + " matches every request this route would, and the first match wins");
                return false;
            }
        }
        return true;
    }
}
