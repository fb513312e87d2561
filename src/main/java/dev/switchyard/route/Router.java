package dev.switchyard.route;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Maps a request's host and target to the first matching {@link Route}'s target. Immutable, so
 * safe to share across event loops through the runtime snapshot.
 *
 * <p>Matching, in route order:
 * <ul>
 *   <li>Host: case-insensitive (RFC 9110 §4.2.3), port ignored. The host comes from the request
 *       target when it is in absolute-form, otherwise from the Host header (RFC 9112 §3.2.2: a
 *       server must ignore the Host header in favour of the absolute-form authority). A route
 *       without a host matches any request, including one that names no host.</li>
 *   <li>Path: the route's prefix must be a plain string prefix of the target's path, without
 *       query or fragment. Like an nginx prefix {@code location}, {@code /api} matches
 *       {@code /api/x} and also {@code /apiary}; write {@code /api/} to exclude the latter. The
 *       path is compared as sent: case-sensitive, not percent-decoded or dot-normalized.</li>
 * </ul>
 *
 * <p>{@link #route} does not allocate: hosts and paths are compared in place with
 * {@link String#regionMatches}, against route hosts lower-cased once in the constructor. The
 * request's host is looked up in a hash table of the route hosts (hashed in place, ASCII
 * case-folded), which gives the routes that can match it, in route order: its own and the
 * host-less ones. A table of hundreds of storefront hosts then costs one lookup, not a
 * comparison per route (bench/jmh {@code RouteBenchmark}: 1.4 µs at 201 routes before).
 *
 * @param <P> the target type
 */
public final class Router<P> {

    /** What an absolute-form target with an empty path is matched as (RFC 9110 §4.2.3). */
    private static final String ROOT = "/";

    private final List<Route<P>> routes;
    /** Per route: its host lower-cased and bracketed if IPv6, or null for "any host". */
    private final String[] hosts;
    /** The host-less routes, in order: all a request can match whose host no route names. */
    private final int[] anyHostRoutes;
    /** Open addressing: a distinct route host per used slot, null for an empty one. */
    private final String[] tableHosts;
    /** Per slot: the routes naming that host or none, in route order. */
    private final int[][] tableRoutes;
    /** Every route, in order: what a host the table cannot answer for is matched against. */
    private final int[] allRoutes;
    /**
     * Whether every route host is ASCII. The table's hash folds ASCII case only, while
     * {@link String#regionMatches} also folds the rest ({@code ſ} matches {@code S}): with a
     * non-ASCII route host in the file every request is matched route by route, as before.
     */
    private final boolean asciiHosts;

    public Router(List<Route<P>> routes) {
        this.routes = List.copyOf(routes);
        this.hosts = new String[this.routes.size()];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = normalizeHost(this.routes.get(i).host());
        }
        anyHostRoutes = routesFor(null);
        allRoutes = IntStream.range(0, hosts.length).toArray();
        Set<String> distinct = new LinkedHashSet<>();
        for (String host : hosts) {
            if (host != null) {
                distinct.add(host);
            }
        }
        asciiHosts = distinct.stream().allMatch(host -> asciiLowerCaseHash(host, 0, host.length()) != NOT_ASCII);
        // At most half full, so a probe ends at an empty slot within a step or two.
        int size = Integer.highestOneBit(Math.max(1, distinct.size()) * 2) * 2;
        tableHosts = new String[size];
        tableRoutes = new int[size][];
        for (String host : distinct) {
            int slot = asciiLowerCaseHash(host, 0, host.length()) & (size - 1);
            while (tableHosts[slot] != null) {
                slot = (slot + 1) & (size - 1);
            }
            tableHosts[slot] = host;
            tableRoutes[slot] = routesFor(host);
        }
    }

    /** The indexes of the routes naming {@code host} or no host, in route order. */
    private int[] routesFor(String host) {
        return IntStream.range(0, hosts.length)
                .filter(i -> hosts[i] == null || hosts[i].equals(host))
                .toArray();
    }

    /**
     * The first route whose host matches (case-insensitive, port ignored, null route host = any)
     * and whose path-prefix is a string prefix of the request path; else null.
     *
     * @param hostHeader the Host header value, e.g. {@code Shop.Example:8080} or {@code [::1]:8080};
     *     null when the request has none
     * @param requestTarget the request-target as sent: origin-form ({@code /a?x}), absolute-form
     *     ({@code http://host:port/a?x}) or another form such as {@code *}; never null
     * @return the matching route's target, or null when no route matches
     */
    public P route(String hostHeader, String requestTarget) {
        String hostSource = hostHeader;
        int hostStart = 0;
        int hostEnd = hostHeader == null ? 0 : hostHeader.length();
        String pathSource = requestTarget;
        int pathStart = 0;

        int schemeEnd = absoluteFormSchemeEnd(requestTarget);
        if (schemeEnd >= 0) {
            // RFC 9112 §3.2.2: the authority in an absolute-form target overrides Host.
            int authorityStart = schemeEnd + 3;
            int authorityEnd = indexOfAny(requestTarget, authorityStart, "/?#");
            hostSource = requestTarget;
            // RFC 9110 §4.2.4: userinfo is deprecated and the frontend should reject it; skip it
            // anyway so that "http://good.example@evil.example/" cannot route as good.example.
            int at = requestTarget.lastIndexOf('@', authorityEnd - 1);
            hostStart = at >= authorityStart ? at + 1 : authorityStart;
            hostEnd = authorityEnd;
            pathStart = authorityEnd;
        }
        if (hostSource != null) {
            hostEnd = hostEndWithoutPort(hostSource, hostStart, hostEnd);
        }
        // Asterisk-form (*) and authority-form (CONNECT) have no path: they are matched whole,
        // so only a route whose prefix fits them (typically "") takes them.
        int pathEnd = indexOfAny(requestTarget, pathStart, "?#");
        if (pathStart == pathEnd && schemeEnd >= 0) {
            pathSource = ROOT;
            pathStart = 0;
            pathEnd = 1;
        }

        int[] candidates = candidates(hostSource, hostStart, hostEnd);
        boolean checkHost = candidates == allRoutes;
        for (int i : candidates) {
            if (checkHost && hosts[i] != null && !regionEquals(hostSource, hostStart, hostEnd, hosts[i])) {
                continue;
            }
            String prefix = routes.get(i).pathPrefix();
            if (prefix.length() <= pathEnd - pathStart
                    && pathSource.regionMatches(pathStart, prefix, 0, prefix.length())) {
                return routes.get(i).target();
            }
        }
        return null;
    }

    /**
     * The routes that can match a request for the host s[start, end), in route order; or
     * {@link #allRoutes}, whose hosts the caller then compares one by one.
     */
    private int[] candidates(String s, int start, int end) {
        if (s == null) {
            return anyHostRoutes;
        }
        int hash = asciiLowerCaseHash(s, start, end);
        if (hash == NOT_ASCII || !asciiHosts) {
            // Never valid in a host (RFC 3986 §3.2.2 asks for punycode): matched as before.
            return allRoutes;
        }
        int mask = tableHosts.length - 1;
        for (int slot = hash & mask; tableHosts[slot] != null; slot = (slot + 1) & mask) {
            if (regionEquals(s, start, end, tableHosts[slot])) {
                return tableRoutes[slot];
            }
        }
        return anyHostRoutes;
    }

    private static final int NOT_ASCII = Integer.MIN_VALUE;

    /** A hash of s[start, end) with ASCII letters lower-cased, in place; NOT_ASCII if not ASCII. */
    private static int asciiLowerCaseHash(String s, int start, int end) {
        int hash = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return NOT_ASCII;
            }
            hash = 31 * hash + (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        hash ^= hash >>> 16;
        return hash == NOT_ASCII ? 0 : hash;
    }

    /** Where "://" starts if the target is absolute-form, else -1. */
    private static int absoluteFormSchemeEnd(String target) {
        if (target.isEmpty() || target.charAt(0) == '/') {
            return -1; // origin-form, by far the common case: no scan
        }
        int i = target.indexOf("://");
        return i > 0 ? i : -1;
    }

    /** Cuts ":port" off the host in s[start, end); a bracketed IPv6 literal keeps its colons. */
    private static int hostEndWithoutPort(String s, int start, int end) {
        if (start < end && s.charAt(start) == '[') {
            int close = s.indexOf(']', start);
            return close >= 0 && close < end ? close + 1 : end;
        }
        int colon = s.indexOf(':', start);
        return colon >= 0 && colon < end ? colon : end;
    }

    /** Case-insensitive equality of s[start, end) with an already lower-cased host. */
    private static boolean regionEquals(String s, int start, int end, String host) {
        return s != null && end - start == host.length() && s.regionMatches(true, start, host, 0, host.length());
    }

    /** Index of the first character of chars in s at or after from, or s.length(). */
    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    /**
     * Lower-cases a route host once, and brackets a bare IPv6 literal ({@code ::1}) so it compares
     * equal to the bracketed form a Host header must use (RFC 3986 §3.2.2).
     */
    private static String normalizeHost(String host) {
        if (host == null) {
            return null;
        }
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.indexOf(':') >= 0 && lower.charAt(0) != '[' ? "[" + lower + "]" : lower;
    }

    @Override
    public String toString() {
        return "Router" + routes;
    }
}
