package dev.switchyard.proxy;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.upstream.Connector;
import java.time.Duration;

/**
 * The settings one exchange runs with, taken from one configuration snapshot. Immutable.
 *
 * @param upstreamResponse how long a backend may take to start its response before a 504
 * @param replayLimitBytes request body kept for a retry; past it a request is not retried
 * @param scheme           the client-facing scheme, for X-Forwarded-Proto
 * @param accessLog        null when the access log is off
 */
public record ProxySettings(
        Connector connector,
        Duration upstreamResponse,
        long replayLimitBytes,
        String scheme,
        ProxyMetrics metrics,
        AccessLog accessLog) {

    /** issue 3: "the request head and up to 64 KiB of body are kept for the replay". */
    public static final long DEFAULT_REPLAY_LIMIT = 64 * 1024;
}
