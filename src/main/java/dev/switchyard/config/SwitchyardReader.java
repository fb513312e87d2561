package dev.switchyard.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the merged {@code switchyard} object into a {@link SwitchyardConfig}: the top-level
 * settings and listeners here, pools and routes through {@link PoolReader} and
 * {@link RouteReader}. Stateless; problems go to the {@link Node}'s {@link Problems}.
 */
final class SwitchyardReader {

    private SwitchyardReader() {}

    /**
     * The config, or null after at least one problem was recorded. Every section is read even
     * after an earlier one failed, so that one run reports the errors of all of them.
     */
    static SwitchyardConfig read(Node switchyard) {
        switchyard.rejectUnknownKeys(Schema.SWITCHYARD);
        // Always present: reference.conf supplies it, so only a user's own value can be wrong.
        Integer threads = switchyard.integer("threads");
        if (threads != null && threads < 0) {
            switchyard.reject("threads", "must be >= 0 (0 = one per core), got " + threads);
            threads = null;
        }
        TransportChoice transport = transport(switchyard);
        // Every valid listener bind by address, so that the admin bind is checked against them
        // even when another listener is invalid.
        Map<String, Node> bound = new HashMap<>();
        List<ListenerConfig> listeners = listeners(switchyard, bound);
        Node adminNode = switchyard.object("admin");
        AdminConfig admin = adminNode == null ? null : admin(adminNode, bound);
        boolean adminValid = !switchyard.has("admin") || admin != null;
        // reference.conf supplies the block, so it is null only after a recorded problem.
        AccessLogConfig accessLog = accessLog(switchyard.object("access-log"));

        // Pools before routes: a route is checked against the pool names, and a pool against the
        // routes that name it.
        Node poolsNode = switchyard.object("pools");
        List<Node> poolNodes = poolsNode == null ? List.of() : poolsNode.objectValues();
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        for (Node pool : poolNodes) {
            PoolConfig config = PoolReader.read(pool);
            if (config != null) {
                pools.put(pool.name(), config);
            }
        }
        // A pool that failed to read is missing from the map, but its name still counts as declared:
        // its own error is reported, a route naming it must not add a second, misleading one.
        boolean poolsValid =
                poolsNode != null && pools.size() == poolsNode.keys().size();
        List<RouteConfig> routes = RouteReader.read(switchyard, poolsNode == null ? null : poolsNode.keys(), poolNodes);

        Timeouts timeouts = timeouts(switchyard.object("timeouts"));
        Limits limits = limits(switchyard.object("limits"));
        if (threads == null
                || transport == null
                || listeners == null
                || !adminValid
                || accessLog == null
                || !poolsValid
                || routes == null
                || timeouts == null
                || limits == null) {
            return null;
        }
        return new SwitchyardConfig(threads, transport, listeners, admin, accessLog, routes, pools, timeouts, limits);
    }

    private static TransportChoice transport(Node switchyard) {
        String name = switchyard.choice("transport", null, TransportChoice.names());
        return name == null ? null : TransportChoice.named(name);
    }

    /**
     * The listeners, or null if any is invalid; names and bound addresses must be unique.
     *
     * @param bound filled with each listener whose bind is valid and not port 0, by
     *              {@link #sameAddressKey}
     */
    private static List<ListenerConfig> listeners(Node switchyard, Map<String, Node> bound) {
        List<Node> nodes = switchyard.objectList("listeners", "no listeners: add at least one");
        if (nodes == null || nodes.isEmpty()) {
            return null;
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, Node> byName = new HashMap<>();
        boolean valid = true;
        for (Node listener : nodes) {
            listener.rejectUnknownKeys(Schema.LISTENER);
            String name = listener.string("name");
            if (name != null && name.isBlank()) {
                listener.reject("name", "must not be empty");
                name = null;
            }
            if (name != null && byName.putIfAbsent(name, listener) != null) {
                // Names label logs and metrics; two listeners under one name would be indistinguishable.
                listener.reject(
                        "name",
                        "duplicate name \"" + name + "\", already at "
                                + byName.get(name).path());
                name = null;
            }
            // Port 0 lets the OS pick a free port, which is how tests start several proxies at once.
            HostPort bind = listener.address("bind", true);
            if (bind != null && bind.port() != 0) {
                Node first = bound.putIfAbsent(sameAddressKey(bind), listener);
                if (first != null) {
                    // The second bind would fail at start with "address in use"; say so now, with the line.
                    listener.reject("bind", "duplicate address " + bind + ", already bound by " + first.path());
                    bind = null;
                }
            }
            // A listener asked to speak TLS must not come up speaking plain HTTP: refuse it, after
            // checking the block so its own mistakes are known before TLS support lands.
            Node tls = listener.object("tls");
            if (tls != null) {
                tls.rejectUnknownKeys(Schema.TLS);
                tls.string("cert");
                tls.string("key");
                tls.rejectSelf(Schema.TLS_NOT_SUPPORTED);
            }
            if (name == null || bind == null || tls != null) {
                valid = false;
            } else {
                listeners.add(new ListenerConfig(name, bind));
            }
        }
        return valid ? listeners : null;
    }

    /**
     * The admin endpoint, or null after a problem. Its port may be 0 like a listener's, but never
     * a port a listener binds on the same host: one of the two would fail at start with "address
     * in use", and /status must not answer on the public port.
     */
    private static AdminConfig admin(Node admin, Map<String, Node> bound) {
        admin.rejectUnknownKeys(Schema.ADMIN);
        HostPort bind = admin.has("bind") ? admin.address("bind", true) : Schema.DEFAULT_ADMIN_BIND;
        String token = admin.string("token", "");
        if (bind == null || token == null) {
            return null;
        }
        Node listener = bind.port() == 0 ? null : bound.get(sameAddressKey(bind));
        if (listener != null) {
            admin.reject("bind", "duplicate address " + bind + ", already bound by " + listener.path());
            return null;
        }
        if (!token.isEmpty() && token.length() < Schema.MIN_ADMIN_TOKEN_LENGTH) {
            admin.reject(
                    "token",
                    "must be at least " + Schema.MIN_ADMIN_TOKEN_LENGTH + " characters to be a secret, got "
                            + token.length());
            return null;
        }
        if (token.isEmpty() && !bind.isLoopback()) {
            // Anyone who reaches a non-loopback admin port could drain every server or reload the config.
            admin.reject(
                    "bind",
                    bind + " is not a loopback address, so the admin endpoint needs a token: set admin.token"
                            + " (e.g. token = ${?SWITCHYARD_ADMIN_TOKEN}) or bind to 127.0.0.1");
            return null;
        }
        return new AdminConfig(bind, token.isEmpty() ? null : token);
    }

    /**
     * The access log settings, or null after a problem. reference.conf supplies every key, so only
     * a user's own value can be wrong. All are checked even while {@code enabled = false}, so that
     * turning the log on cannot uncover an old mistake.
     */
    private static AccessLogConfig accessLog(Node accessLog) {
        if (accessLog == null) {
            return null;
        }
        accessLog.rejectUnknownKeys(Schema.ACCESS_LOG);
        Boolean enabled = accessLog.bool("enabled", null);
        String format = accessLogFormat(accessLog);
        String output = accessLogOutput(accessLog);
        Integer queueSize = accessLog.integer("queue-size");
        if (queueSize != null
                && (queueSize < Schema.MIN_ACCESS_LOG_QUEUE_SIZE || queueSize > Schema.MAX_ACCESS_LOG_QUEUE_SIZE)) {
            accessLog.reject(
                    "queue-size",
                    "must be between " + Schema.MIN_ACCESS_LOG_QUEUE_SIZE + " and " + Schema.MAX_ACCESS_LOG_QUEUE_SIZE
                            + ", got " + queueSize);
            queueSize = null;
        }
        if (enabled == null || format == null || output == null || queueSize == null) {
            return null;
        }
        return new AccessLogConfig(enabled, format, output, queueSize);
    }

    private static String accessLogFormat(Node accessLog) {
        return accessLog.choice("format", null, Schema.ACCESS_LOG_FORMATS);
    }

    /**
     * {@code stdout}, or a file path whose directory exists; a relative path is taken from the
     * working directory, as the writer will open it. Nothing is created here: {@code --check} must
     * leave no file behind, and the writer creates the file at start.
     */
    private static String accessLogOutput(Node accessLog) {
        String output = accessLog.string("output");
        if (output == null || output.equals(Schema.ACCESS_LOG_STDOUT)) {
            return output;
        }
        if (output.isBlank()) {
            accessLog.reject("output", "must not be empty; write stdout or a file path");
            return null;
        }
        Path file;
        try {
            file = Path.of(output).toAbsolutePath();
        } catch (InvalidPathException invalid) {
            // On Linux only a NUL character lands here, which a quoted HOCON string can hold as an escape.
            accessLog.reject("output", "not a file path: " + invalid.getReason());
            return null;
        }
        if (Files.isDirectory(file)) {
            accessLog.reject("output", "\"" + output + "\" is a directory; name a file in it");
            return null;
        }
        // Not null: only a root has no parent, and a root is a directory, refused above.
        Path directory = file.getParent();
        if (!Files.isDirectory(directory)) {
            accessLog.reject(
                    "output",
                    "directory " + directory + " does not exist; Switchyard creates the log"
                            + " file, not its directory");
            return null;
        }
        return output;
    }

    /** Host names are case-insensitive (RFC 4343), so LOCALHOST:80 and localhost:80 are one bind. */
    private static String sameAddressKey(HostPort address) {
        return address.host().toLowerCase(Locale.ROOT) + " " + address.port();
    }

    /** Each key falls back to reference.conf on its own, so a partial timeouts block is normal. */
    private static Timeouts timeouts(Node timeouts) {
        if (timeouts == null) {
            return null;
        }
        timeouts.rejectUnknownKeys(Schema.TIMEOUTS);
        Duration connect = timeouts.positiveDuration("connect");
        Duration clientHeader = timeouts.positiveDuration("client-header");
        Duration clientBody = timeouts.positiveDuration("client-body");
        Duration clientIdle = timeouts.positiveDuration("client-idle");
        Duration upstreamResponse = timeouts.positiveDuration("upstream-response");
        Duration shutdownGrace = timeouts.positiveDuration("shutdown-grace");
        if (connect == null
                || clientHeader == null
                || clientBody == null
                || clientIdle == null
                || upstreamResponse == null
                || shutdownGrace == null) {
            return null;
        }
        return new Timeouts(connect, clientHeader, clientBody, clientIdle, upstreamResponse, shutdownGrace);
    }

    /** Every limit, each checked against the range where it both admits requests and protects. */
    private static Limits limits(Node limits) {
        if (limits == null) {
            return null;
        }
        limits.rejectUnknownKeys(Schema.LIMITS);
        Long maxHeaderSize = sizeWithin(limits, "max-header-size", Schema.MIN_HEADER_SIZE, Schema.MAX_HEADER_SIZE);
        Long maxUriLength = sizeWithin(limits, "max-uri-length", Schema.MIN_URI_LENGTH, Schema.MAX_URI_LENGTH);
        Integer maxHeaderCount = integerWithin(limits, "max-header-count", 1, Schema.MAX_HEADER_COUNT);
        // The library refuses a negative size itself, and 0 means no limit: any size is valid.
        Long maxBodySize = limits.bytes("max-body-size");
        Integer maxConnections = integerWithin(limits, "max-connections", 0, Integer.MAX_VALUE);
        Integer maxConnectionsPerIp = integerWithin(limits, "max-connections-per-ip", 0, Integer.MAX_VALUE);
        Integer ratePerIp = integerWithin(limits, "rate-per-ip", 0, Schema.MAX_RATE);
        Integer burst = integerWithin(limits, "burst", 1, Schema.MAX_RATE);
        if (maxHeaderSize == null
                || maxUriLength == null
                || maxHeaderCount == null
                || maxBodySize == null
                || maxConnections == null
                || maxConnectionsPerIp == null
                || ratePerIp == null
                || burst == null) {
            return null;
        }
        return new Limits(
                maxHeaderSize.intValue(),
                maxUriLength.intValue(),
                maxHeaderCount,
                maxBodySize,
                maxConnections,
                maxConnectionsPerIp,
                ratePerIp,
                burst);
    }

    private static Long sizeWithin(Node node, String key, long min, long max) {
        Long bytes = node.bytes(key);
        if (bytes != null && (bytes < min || bytes > max)) {
            node.reject(
                    key,
                    "must be between " + Schema.sizeText(min) + " and " + Schema.sizeText(max) + " (" + min + " to "
                            + max + " bytes), got " + bytes + " bytes");
            return null;
        }
        return bytes;
    }

    private static Integer integerWithin(Node node, String key, int min, int max) {
        Integer value = node.integer(key);
        if (value != null && (value < min || value > max)) {
            node.reject(
                    key,
                    max == Integer.MAX_VALUE
                            ? "must be >= " + min + (min == 0 ? " (0 = no limit)" : "") + ", got " + value
                            : "must be between " + min + " and " + max + ", got " + value);
            return null;
        }
        return value;
    }
}
