package dev.switchyard.frontend;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.balance.LeastConnections;
import dev.switchyard.balance.RoundRobin;
import dev.switchyard.balance.Strategy;
import dev.switchyard.config.HealthCheckConfig;
import dev.switchyard.config.PoolConfig;
import dev.switchyard.config.RouteConfig;
import dev.switchyard.config.ServerConfig;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.proxy.ProxySettings;
import dev.switchyard.route.Route;
import dev.switchyard.route.Router;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.RetryBudget;
import dev.switchyard.upstream.Server;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything a request needs from the configuration, built once and published through one
 * atomic reference (architecture.md, "State"); a request reads it once, at its start.
 * Immutable, apart from the live state inside {@link Server}s.
 */
public record RuntimeSnapshot(
        SwitchyardConfig config, Router<Pool> router, Map<String, Pool> pools, ProxySettings proxySettings) {

    /** Every pool with its health-check settings (null for a pool without), for the health checker. */
    public Map<Pool, HealthCheckConfig> healthChecks() {
        Map<Pool, HealthCheckConfig> checks = new LinkedHashMap<>();
        for (PoolConfig pool : config.pools().values()) {
            checks.put(pools.get(pool.name()), pool.healthCheck());
        }
        return checks;
    }

    /**
     * Idle keep-alive connections kept per event loop and server; above it a released
     * connection is closed. Internal, like Zuul's waterline: it never bites at shop scale.
     */
    static final int MAX_IDLE_PER_LOOP = 1024;

    /** Builds the snapshot off the event loops: it resolves server names, which may block. */
    public static RuntimeSnapshot build(
            SwitchyardConfig config, List<EventLoop> loops, Connector connector, Metrics metrics, AccessLog accessLog) {
        return build(config, loops, connector, metrics, accessLog, null);
    }

    /**
     * Builds the snapshot a reload swaps in: a server whose pool and address are unchanged is
     * the same {@link Server} object, so it keeps its health state, counters and idle
     * connections (architecture.md, "State"); its weight and backup flag follow the new file.
     */
    public static RuntimeSnapshot build(
            SwitchyardConfig config,
            List<EventLoop> loops,
            Connector connector,
            Metrics metrics,
            AccessLog accessLog,
            RuntimeSnapshot previous) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (PoolConfig pool : config.pools().values()) {
            Pool before = previous == null ? null : previous.pools().get(pool.name());
            pools.put(pool.name(), buildPool(pool, loops, before));
        }
        List<Route<Pool>> routes = new ArrayList<>();
        for (RouteConfig route : config.routes()) {
            routes.add(new Route<>(route.host(), route.pathPrefix(), pools.get(route.pool())));
        }
        ProxySettings settings = new ProxySettings(
                connector,
                config.timeouts().upstreamResponse(),
                ProxySettings.DEFAULT_REPLAY_LIMIT,
                "http",
                new ProxyMetrics(metrics, pools.values()),
                accessLog);
        return new RuntimeSnapshot(config, new Router<>(routes), Collections.unmodifiableMap(pools), settings);
    }

    private static Pool buildPool(PoolConfig config, List<EventLoop> loops, Pool before) {
        List<Server> servers = new ArrayList<>();
        for (ServerConfig server : config.servers()) {
            Server kept = before == null ? null : before.server(server.address().toString());
            if (kept != null) {
                kept.reconfigure(server.weight(), server.backup());
                servers.add(kept);
                continue;
            }
            InetSocketAddress address = new InetSocketAddress(
                    server.address().host(), server.address().port());
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("pool " + config.name() + ": cannot resolve " + server.address());
            }
            // Warm-up gate (config.md): with health checks a server takes no traffic before its
            // first passing probe; without them it is UP from the start.
            HealthState initial = config.healthCheck() != null ? HealthState.DOWN : HealthState.UP;
            servers.add(new Server(
                    server.address().toString(),
                    address,
                    server.weight(),
                    server.backup(),
                    loops,
                    MAX_IDLE_PER_LOOP,
                    initial));
        }
        return new Pool(
                config.name(),
                servers,
                config.retries(),
                strategy(config.strategy()),
                new RetryBudget(System::nanoTime));
    }

    /**
     * Each pool starts its rotation at a random place, so a fleet of proxies restarted together
     * does not hit the same first server (Envoy seeds its scheduler likewise).
     */
    private static Strategy<Server> strategy(String name) {
        return switch (name) {
            case "least-connections" ->
                new LeastConnections<>(() -> ThreadLocalRandom.current().nextInt(1 << 20));
            case "round-robin" ->
                new RoundRobin<>(() -> ThreadLocalRandom.current().nextInt(1 << 20));
            default -> throw new IllegalArgumentException("unknown strategy " + name);
        };
    }
}
