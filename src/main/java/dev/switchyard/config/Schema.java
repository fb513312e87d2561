package dev.switchyard.config;

import java.util.List;
import java.util.Map;

/**
 * Every key the configuration knows, and the defaults that {@code reference.conf} cannot hold.
 * Immutable constants only.
 *
 * <p>Adding a key to the contract is one line here (plus reading it where its section is read):
 * the unknown-key check, the typo suggestions and {@code ConfigurationDocTest} all take their key
 * lists from this class, so none of them can fall behind the others.
 */
final class Schema {

    /**
     * The keys one kind of object may hold.
     *
     * @param path dotted path as the docs write it: {@code []} stands for any list element,
     *             {@code <name>} for any pool name
     * @param keys the keys allowed directly inside, in the order config.md lists them
     */
    record Section(String path, List<String> keys) {

        Section {
            keys = List.copyOf(keys);
        }

        /** The full documented path of one of this section's keys. */
        String pathOf(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }
    }

    static final Section ROOT = new Section("", List.of("switchyard"));
    static final Section SWITCHYARD = new Section("switchyard",
            List.of("threads", "listeners", "admin", "routes", "pools", "timeouts", "limits"));
    static final Section LISTENER = new Section("switchyard.listeners[]", List.of("name", "bind", "tls"));
    static final Section TLS = new Section("switchyard.listeners[].tls", List.of("cert", "key"));
    static final Section ADMIN = new Section("switchyard.admin", List.of("bind"));
    static final Section ROUTE = new Section("switchyard.routes[]", List.of("host", "path-prefix", "pool"));
    static final Section POOL = new Section("switchyard.pools.<name>",
            List.of("strategy", "servers", "health-check", "retries"));
    static final Section SERVER = new Section("switchyard.pools.<name>.servers[]",
            List.of("address", "weight", "backup"));
    static final Section HEALTH_CHECK = new Section("switchyard.pools.<name>.health-check",
            List.of("path", "interval", "timeout", "healthy-threshold", "unhealthy-threshold"));
    static final Section TIMEOUTS = new Section("switchyard.timeouts",
            List.of("connect", "client-header", "client-idle", "upstream-response"));
    static final Section LIMITS = new Section("switchyard.limits", List.of("max-header-size"));

    /** In config.md order, so the doc test reports missing keys in reading order. */
    static final List<Section> SECTIONS = List.of(
            ROOT, SWITCHYARD, LISTENER, TLS, ADMIN, ROUTE, POOL, SERVER, HEALTH_CHECK, TIMEOUTS, LIMITS);

    // Per-element defaults. HOCON has no way to give a default to every element of a list or every
    // value of a map, so reference.conf cannot carry these; the readers apply them.
    static final String DEFAULT_PATH_PREFIX = "/";
    static final int DEFAULT_WEIGHT = 1;
    static final boolean DEFAULT_BACKUP = false;
    static final String DEFAULT_STRATEGY = "round-robin";
    static final int DEFAULT_RETRIES = 1;

    /**
     * Upper bound on a server weight. A smooth weighted round-robin expands weights into a schedule
     * as long as their sum, so an unbounded weight is an unbounded allocation; HAProxy caps at 256.
     */
    static final int MAX_WEIGHT = 1000;

    /** 1k: a request line plus a Host header must fit. */
    static final long MIN_HEADER_SIZE = 1024;
    /** 1m: a head that large is an attack, not a request; Netty's own default is 8k. */
    static final long MAX_HEADER_SIZE = 1024 * 1024;

    /** Every strategy name config.md defines, in the order an error lists them. */
    static final List<String> STRATEGIES = List.of("round-robin", "least-connections");

    /**
     * Contract keys and values that later work brings to life. They are validated like any other
     * key and then refused with these reasons, so a config never silently runs without them.
     */
    static final Map<String, String> NOT_SUPPORTED_STRATEGIES = Map.of(
            "least-connections", "not supported yet: least-connections arrives with the balancing issue");
    static final String ADMIN_NOT_SUPPORTED =
            "not supported yet: the admin endpoint (/status, /metrics) arrives with health checking and observability";
    static final String HEALTH_CHECK_NOT_SUPPORTED =
            "not supported yet: active health checks arrive with the balancing issue";
    static final String TLS_NOT_SUPPORTED =
            "not supported yet: TLS on a listener; terminate TLS in front of Switchyard for now";

    private Schema() {
    }
}
