package dev.switchyard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static Router<String> router(List<Route<String>> routes) {
        return new Router<>(routes);
    }

    @Test
    void firstMatchingRouteWinsNotTheLongest() {
        Router<String> router = router(List.of(new Route<>(null, "/", "root"), new Route<>(null, "/api", "api")));

        assertThat(router.route("shop.example", "/api/x"))
                .as("routes are tried in order; config order is the priority")
                .isEqualTo("root");
    }

    @Test
    void laterRouteMatchesWhenEarlierOnesDoNot() {
        Router<String> router = router(List.of(new Route<>(null, "/api", "api"), new Route<>(null, "/", "root")));

        assertThat(router.route("shop.example", "/api/x"))
                .as("/api comes first")
                .isEqualTo("api");
        assertThat(router.route("shop.example", "/index.html"))
                .as("falls through to /")
                .isEqualTo("root");
    }

    @Test
    void hostMatchesCaseInsensitively() {
        Router<String> router = router(List.of(new Route<>("Shop.Example", "/", "shop")));

        assertThat(router.route("shop.EXAMPLE", "/"))
                .as("RFC 9110 §4.2.3: host is case-insensitive")
                .isEqualTo("shop");
    }

    @Test
    void hostPortIsIgnored() {
        Router<String> router = router(List.of(new Route<>("shop.example", "/", "shop")));

        assertThat(router.route("Shop.Example:8080", "/"))
                .as("port does not select a route")
                .isEqualTo("shop");
    }

    @Test
    void hostMustMatchWholeNotAsSuffixOrPrefix() {
        Router<String> router = router(List.of(new Route<>("shop.example", "/", "shop")));

        assertThat(router.route("evil-shop.example", "/")).as("no suffix match").isNull();
        assertThat(router.route("shop.example.evil", "/")).as("no prefix match").isNull();
        assertThat(router.route("shop.exampl", "/"))
                .as("a shorter host does not match")
                .isNull();
    }

    @Test
    void ipv6HostMatchesWithOrWithoutPort() {
        Router<String> router = router(List.of(new Route<>("[::1]", "/", "loopback")));

        assertThat(router.route("[::1]:8080", "/"))
                .as("the port after the brackets is ignored")
                .isEqualTo("loopback");
        assertThat(router.route("[::1]", "/")).as("no port at all").isEqualTo("loopback");
        assertThat(router.route("[::2]:8080", "/")).as("another address").isNull();
    }

    @Test
    void ipv6RouteHostMayOmitBrackets() {
        Router<String> router = router(List.of(new Route<>("FE80::1", "/", "v6")));

        assertThat(router.route("[fe80::1]:443", "/"))
                .as("a bare IPv6 route host is bracketed once")
                .isEqualTo("v6");
    }

    @Test
    void absoluteFormHostOverridesHostHeader() {
        Router<String> router =
                router(List.of(new Route<>("shop.example", "/a", "shop"), new Route<>("other.example", "/", "other")));

        assertThat(router.route("other.example", "http://Shop.Example:8080/a?x"))
                .as("RFC 9112 §3.2.2: the absolute-form authority wins over Host")
                .isEqualTo("shop");
    }

    @Test
    void absoluteFormPathIsMatchedAfterTheAuthority() {
        Router<String> router = router(List.of(new Route<>(null, "/api", "api"), new Route<>(null, "/", "root")));

        assertThat(router.route(null, "https://shop.example/api/v1"))
                .as("path starts after the authority")
                .isEqualTo("api");
        assertThat(router.route(null, "http://shop.example/apiX"))
                .as("plain prefix here too")
                .isEqualTo("api");
        assertThat(router.route(null, "http://shop.example"))
                .as("RFC 9110 §4.2.3: empty path is /")
                .isEqualTo("root");
        assertThat(router.route(null, "http://shop.example?/api"))
                .as("a query is not a path, even with slashes")
                .isEqualTo("root");
    }

    @Test
    void absoluteFormUserinfoIsNotTakenAsTheHost() {
        Router<String> router =
                router(List.of(new Route<>("good.example", "/", "good"), new Route<>("evil.example", "/", "evil")));

        assertThat(router.route(null, "http://good.example@evil.example/"))
                .as("RFC 9110 §4.2.4: the host follows the userinfo")
                .isEqualTo("evil");
        assertThat(router.route(null, "http://good.example:pw@evil.example:80/"))
                .as("a colon in userinfo is not a port separator")
                .isEqualTo("evil");
    }

    @Test
    void queryIsIgnoredForMatching() {
        Router<String> router = router(List.of(
                new Route<>(null, "/a?admin", "admin"),
                new Route<>(null, "/api", "api"),
                new Route<>(null, "/", "root")));

        assertThat(router.route(null, "/a?admin=1"))
                .as("the path is /a; the query cannot complete a prefix")
                .isEqualTo("root");
        assertThat(router.route(null, "/api/x?y=1"))
                .as("a query does not stop a match")
                .isEqualTo("api");
        assertThat(router.route(null, "/api#frag")).as("nor does a fragment").isEqualTo("api");
        assertThat(router.route(null, "/?next=/api"))
                .as("a path in the query is not the path")
                .isEqualTo("root");
    }

    @Test
    void missingHostMatchesOnlyHostlessRoutes() {
        Router<String> router =
                router(List.of(new Route<>("shop.example", "/", "shop"), new Route<>(null, "/", "any")));

        assertThat(router.route(null, "/")).as("HTTP/1.0 without Host").isEqualTo("any");
        assertThat(router.route("", "/")).as("an empty Host names no host").isEqualTo("any");
        assertThat(router(List.of(new Route<>("shop.example", "/", "shop"))).route(null, "/"))
                .as("no host-less route to fall back on")
                .isNull();
    }

    @Test
    void hostlessRouteMatchesAnyHost() {
        Router<String> router = router(List.of(new Route<>(null, "/", "any")));

        assertThat(router.route("whatever.example:1", "/x"))
                .as("null route host = any")
                .isEqualTo("any");
    }

    @Test
    void noMatchingRouteGivesNull() {
        Router<String> router =
                router(List.of(new Route<>("shop.example", "/", "shop"), new Route<>(null, "/api", "api")));

        assertThat(router.route("other.example", "/index.html"))
                .as("the frontend answers 404")
                .isNull();
        assertThat(router(List.<Route<String>>of()).route("shop.example", "/"))
                .as("no routes at all")
                .isNull();
    }

    @Test
    void prefixIsAPlainStringPrefixLikeNginx() {
        Router<String> router = router(List.of(new Route<>(null, "/api", "api")));

        assertThat(router.route(null, "/api/x")).as("below the prefix").isEqualTo("api");
        assertThat(router.route(null, "/api")).as("the prefix itself").isEqualTo("api");
        assertThat(router.route(null, "/apiary"))
                .as("not segment-aware, as an nginx prefix location")
                .isEqualTo("api");
        assertThat(router.route(null, "/ap")).as("shorter than the prefix").isNull();
        assertThat(router.route(null, "/API/x"))
                .as("paths are case-sensitive (RFC 3986 §6.2.2.1)")
                .isNull();
    }

    @Test
    void asteriskFormMatchesOnlyAnEmptyPrefix() {
        Router<String> router = router(List.of(new Route<>(null, "/", "root"), new Route<>(null, "", "all")));

        assertThat(router.route("shop.example", "*"))
                .as("OPTIONS * has no path, so / does not cover it")
                .isEqualTo("all");
    }

    @Test
    void routeListIsCopiedAtConstruction() {
        List<Route<String>> routes = new ArrayList<>(List.of(new Route<>(null, "/", "root")));
        Router<String> router = router(routes);

        routes.set(0, new Route<>(null, "/", "changed"));

        assertThat(router.route(null, "/"))
                .as("a router is immutable snapshot state")
                .isEqualTo("root");
    }

    @Test
    void routeRejectsHostsThatCouldNeverMatch() {
        assertThatIllegalArgumentException()
                .as("ports are ignored when routing")
                .isThrownBy(() -> new Route<>("shop.example:8080", "/", "shop"));
        assertThatIllegalArgumentException()
                .as("nor for a bracketed IPv6 literal")
                .isThrownBy(() -> new Route<>("[::1]:8080", "/", "v6"));
        assertThatIllegalArgumentException()
                .as("null, not empty, means any host")
                .isThrownBy(() -> new Route<>("", "/", "x"));
    }

    @Test
    void routeDoesNotAllocate() {
        assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Router<String> router = router(List.of(
                new Route<>("shop.example", "/api", "api"),
                new Route<>("[::1]", "/", "v6"),
                new Route<>(null, "/", "root")));
        for (int i = 0; i < 200_000; i++) { // warm up so the JIT settles before measuring
            route3(router);
        }

        long threadId = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++) {
            route3(router);
        }
        long allocated = mx.getThreadAllocatedBytes(threadId) - before;

        assertThat(allocated)
                .as("routing runs per request on the event loop; no garbage")
                .isLessThan(1_024);
    }

    @Test
    void hostSpecificAndHostlessRoutesKeepTheirConfigOrder() {
        Router<String> router = router(List.of(
                new Route<>("shop.example", "/api/", "shop-api"),
                new Route<>(null, "/static/", "static"),
                new Route<>("shop.example", "/", "shop"),
                new Route<>("admin.example", "/", "admin"),
                new Route<>(null, "/", "default")));

        assertThat(router.route("SHOP.example:443", "/api/cart")).isEqualTo("shop-api");
        assertThat(router.route("shop.example", "/static/a.css"))
                .as("a host-less route listed earlier wins over the host's later one")
                .isEqualTo("static");
        assertThat(router.route("shop.example", "/cart")).isEqualTo("shop");
        assertThat(router.route("admin.example", "/api/x")).isEqualTo("admin");
        assertThat(router.route("other.example", "/api/x")).isEqualTo("default");
        assertThat(router.route(null, "/static/a.css")).isEqualTo("static");
    }

    @Test
    void nonAsciiHostsFoldCaseAsStringsDo() {
        // Not valid host names, but a config may hold one: String's case folding decides, as it
        // did when every route was compared in turn (the long s folds to S).
        Router<String> router = router(
                List.of(new Route<>("\u017Fhop.example", "/", "long-s"), new Route<>("shop.example", "/", "shop")));
        assertThat(router.route("SHOP.example", "/")).isEqualTo("long-s");
        Router<String> ascii = router(List.of(new Route<>("shop.example", "/", "shop"), new Route<>(null, "/", "any")));
        assertThat(ascii.route("\u017Fhop.example", "/")).isEqualTo("shop");
        assertThat(ascii.route("caf\u00e9.example", "/")).isEqualTo("any");
    }

    /** The host table must route exactly as trying every route in order does. */
    @Test
    void manyHostsRouteAsAScanInOrderWould() {
        Random random = new Random(42);
        String[] hostNames = new String[60];
        for (int i = 0; i < hostNames.length; i++) {
            hostNames[i] = "shop" + i + ".example";
        }
        String[] prefixes = {"", "/", "/api/", "/api", "/static/", "/x"};
        List<Route<String>> routes = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String host = random.nextInt(5) == 0 ? null : hostNames[random.nextInt(hostNames.length)];
            routes.add(new Route<>(host, prefixes[random.nextInt(prefixes.length)], "r" + i));
        }
        Router<String> router = router(routes);
        String[] paths = {"/", "/api/cart", "/apiary", "/static/a.css", "/x?y=1", "*"};
        for (int i = 0; i < 2_000; i++) {
            String host = random.nextInt(10) == 0 ? null : hostNames[random.nextInt(hostNames.length)];
            if (host != null && random.nextBoolean()) {
                host = host.toUpperCase(Locale.ROOT) + ":8080";
            }
            if (random.nextInt(20) == 0) {
                host = "elsewhere.example";
            }
            String path = paths[random.nextInt(paths.length)];
            assertThat(router.route(host, path)).as("%s %s", host, path).isEqualTo(scanInOrder(routes, host, path));
        }
    }

    /** The routing rules written out plainly, for origin-form and asterisk-form targets. */
    private static String scanInOrder(List<Route<String>> routes, String hostHeader, String target) {
        String host = hostHeader == null ? null : hostHeader.replaceFirst(":\\d+$", "");
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        for (Route<String> route : routes) {
            boolean hostMatches = route.host() == null || route.host().equalsIgnoreCase(host);
            if (hostMatches && path.startsWith(route.pathPrefix())) {
                return route.target();
            }
        }
        return null;
    }

    private static void route3(Router<String> router) {
        router.route("Shop.Example:8080", "/api/x?y=1");
        router.route("[::1]:8080", "/");
        router.route(null, "http://other.example/z");
    }
}
