package dev.switchyard.bench;

import dev.switchyard.route.Route;
import dev.switchyard.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one {@link Router#route}, the per-request price of routing, by number of routes. The
 * routes are what a shop with several storefronts writes: per host, an {@code /api/} route and
 * a {@code /} route, then a catch-all {@code /} route for any host last. Routes are tried in
 * order, so the cost grows with the position of the one that matches:
 *
 * <ul>
 *   <li>{@code firstHost}: the first host's {@code /api/} route, the cheapest case;
 *   <li>{@code middleHost}: a host halfway down the list, its {@code /} route, with a port in
 *       Host and a query in the target;
 *   <li>{@code unknownHost}: a host no route names, so every route is tried before the
 *       catch-all: the worst case;
 *   <li>{@code absoluteForm}: the middle host again, named by an absolute-form target
 *       ({@code http://host:port/path}), which overrides Host.
 * </ul>
 *
 * <p>Run {@code -prof gc}: {@code gc.alloc.rate.norm} should be about 0 B/op, since the router
 * compares in place.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteBenchmark {

    /** Routes in the table: 2 per storefront host plus the catch-all. */
    @Param({"3", "21", "201"})
    public int routes;

    private Router<String> router;
    private String middleHost;
    private String absoluteTarget;
    private String middleHostWithPort;

    @Setup
    public void setUp() {
        int hosts = (routes - 1) / 2;
        List<Route<String>> table = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            String host = "shop" + i + ".example";
            table.add(new Route<>(host, "/api/", "api-" + i));
            table.add(new Route<>(host, "/", "web-" + i));
        }
        table.add(new Route<>(null, "/", "default"));
        router = new Router<>(table);
        middleHost = "Shop" + hosts / 2 + ".Example";
        absoluteTarget = "http://" + middleHost + ":8080/category/shoes?page=2";
        middleHostWithPort = middleHost + ":8080";
    }

    @Benchmark
    public String firstHost() {
        return router.route("shop0.example", "/api/cart/items");
    }

    @Benchmark
    public String middleHost() {
        return router.route(middleHostWithPort, "/category/shoes?page=2&sort=price");
    }

    @Benchmark
    public String unknownHost() {
        return router.route("elsewhere.example", "/category/shoes?page=2&sort=price");
    }

    @Benchmark
    public String absoluteForm() {
        return router.route("ignored.example", absoluteTarget);
    }
}
