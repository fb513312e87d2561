package dev.switchyard.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole validated configuration: what {@link ConfigLoader} returns. Immutable, so one
 * instance can be read from every event loop and swapped whole on a reload.
 *
 * @param threads   event-loop threads; 0 means "one per core", which the caller decides
 * @param transport which socket I/O to use; the caller resolves {@code AUTO} and any fallback
 * @param listeners at least one, names and bound addresses unique
 * @param admin     the admin endpoint; null if the file has no {@code admin} block
 * @param accessLog the access log settings; never null, reference.conf supplies them when the
 *                  file has no {@code access-log} block
 * @param routes    at least one, in file order (first match wins)
 * @param pools     by name, in file order; every pool is named by a route and vice versa
 * @param timeouts  deadlines
 * @param limits    size limits
 */
public record SwitchyardConfig(
        int threads,
        TransportChoice transport,
        List<ListenerConfig> listeners,
        AdminConfig admin,
        AccessLogConfig accessLog,
        List<RouteConfig> routes,
        Map<String, PoolConfig> pools,
        Timeouts timeouts,
        Limits limits) {

    public SwitchyardConfig {
        Objects.requireNonNull(transport, "transport");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(accessLog, "accessLog");
        routes = List.copyOf(routes);
        // Map.copyOf would lose the file order that logs and /status show pools in.
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
    }
}
