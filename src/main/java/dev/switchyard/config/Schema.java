package dev.switchyard.config;

import java.time.Duration;
import java.util.List;

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
     * @param keys the keys allowed directly inside, in the order config.md lists them; a key
     *             config.md does not show sits next to its closest relative
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
    static final Section SWITCHYARD = new Section(
            "switchyard",
            List.of(
                    "threads",
                    "transport",
                    "listeners",
                    "admin",
                    "access-log",
                    "routes",
                    "pools",
                    "timeouts",
                    "limits"));
    static final Section LISTENER = new Section("switchyard.listeners[]", List.of("name", "bind", "tls"));
    static final Section TLS = new Section("switchyard.listeners[].tls", List.of("cert", "key"));
    static final Section ADMIN = new Section("switchyard.admin", List.of("bind", "token"));
    static final Section ACCESS_LOG =
            new Section("switchyard.access-log", List.of("enabled", "format", "output", "queue-size"));
    static final Section ROUTE = new Section("switchyard.routes[]", List.of("host", "path-prefix", "pool"));
    static final Section POOL =
            new Section("switchyard.pools.<name>", List.of("strategy", "servers", "health-check", "retries"));
    static final Section SERVER =
            new Section("switchyard.pools.<name>.servers[]", List.of("address", "weight", "backup"));
    static final Section HEALTH_CHECK = new Section(
            "switchyard.pools.<name>.health-check",
            List.of(
                    "type",
                    "path",
                    "host",
                    "interval",
                    "timeout",
                    "healthy-threshold",
                    "unhealthy-threshold",
                    "expected-statuses"));
    static final Section TIMEOUTS = new Section(
            "switchyard.timeouts",
            List.of("connect", "client-header", "client-body", "client-idle", "upstream-response", "shutdown-grace"));
    static final Section LIMITS = new Section(
            "switchyard.limits",
            List.of(
                    "max-header-size",
                    "max-uri-length",
                    "max-header-count",
                    "max-body-size",
                    "max-connections",
                    "max-connections-per-ip",
                    "rate-per-ip",
                    "burst"));

    /** In config.md order, so the doc test reports missing keys in reading order. */
    static final List<Section> SECTIONS = List.of(
            ROOT, SWITCHYARD, LISTENER, TLS, ADMIN, ACCESS_LOG, ROUTE, POOL, SERVER, HEALTH_CHECK, TIMEOUTS, LIMITS);

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

    /** 256: a path plus a short query; anything shorter would refuse ordinary shop URLs. */
    static final long MIN_URI_LENGTH = 256;
    /** 1m: as for the head; Netty refuses longer request lines itself. */
    static final long MAX_URI_LENGTH = 1024 * 1024;

    /** HAProxy's own compile-time ceiling is 101 by default; 10,000 is far past any browser. */
    static final int MAX_HEADER_COUNT = 10_000;

    /** Upper bound for rate-per-ip and burst: a million a second is no limit at all. */
    static final int MAX_RATE = 1_000_000;

    /** The admin bind when an admin block names none: loopback, as config.md asks. */
    static final HostPort DEFAULT_ADMIN_BIND = new HostPort("127.0.0.1", 9090);

    /** A shorter token can be guessed by trying; 16 random characters cannot. */
    static final int MIN_ADMIN_TOKEN_LENGTH = 16;

    /** Every strategy name config.md defines, in the order an error lists them. */
    static final List<String> STRATEGIES = List.of("round-robin", "least-connections");

    // Health-check defaults, applied to each key a present health-check block leaves out. They
    // cannot live in reference.conf for the same reason as the ones above: a pool is a map value.
    // An absent block means no active checks at all, which is not the same as these defaults.
    /** {@code http} sends a GET and reads the status; {@code tcp} only connects. */
    static final List<String> HEALTH_CHECK_TYPES = List.of("http", "tcp");

    static final String DEFAULT_HEALTH_CHECK_TYPE = "http";
    static final String DEFAULT_HEALTH_CHECK_PATH = "/health";
    static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(2);
    static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(1);
    static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    /** Empty: any 2xx or 3xx passes, as config.md promises for a block that names no statuses. */
    static final List<Integer> DEFAULT_EXPECTED_STATUSES = List.of();

    // Access log. Its defaults live in reference.conf (a single object, so HOCON can hold them);
    // these are the values it may take.
    /** {@code text} writes one combined-log-like line per exchange, {@code json} one JSON object per line. */
    static final List<String> ACCESS_LOG_FORMATS = List.of("text", "json");
    /** The output that means standard output; any other string is a file path. */
    static final String ACCESS_LOG_STDOUT = "stdout";
    /**
     * Bounds on the lines waiting for the writer thread. Below 1024 a burst of a few milliseconds
     * fills the queue and lines are dropped; above 16777216 (2^24) a stalled disk lets the queue
     * hold gigabytes of heap before anything is dropped.
     */
    static final int MIN_ACCESS_LOG_QUEUE_SIZE = 1024;

    static final int MAX_ACCESS_LOG_QUEUE_SIZE = 16 * 1024 * 1024;

    /** The status codes RFC 9110 §15 defines: three digits, first digit 1 to 5. */
    static final int MIN_STATUS = 100;

    static final int MAX_STATUS = 599;

    /**
     * Contract keys that later work brings to life. They are validated like any other key and
     * then refused with this reason, so a config never silently runs without them.
     */
    static final String TLS_NOT_SUPPORTED =
            "not supported yet: TLS on a listener; terminate TLS in front of Switchyard for now";

    /** 16384 as 16k, 1048576 as 1m, else the bytes: how the range messages quote a bound. */
    static String sizeText(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "m";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + "k";
        }
        return Long.toString(bytes);
    }

    private Schema() {}
}
