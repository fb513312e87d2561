package dev.switchyard.accesslog;

/**
 * One exchange as the access log tells it. Immutable; made on the event loop, formatted on
 * the writer thread, so the loop pays one small allocation and no formatting.
 *
 * @param pool   null when no pool was involved (404, 400, ...)
 * @param server null when no server answered
 * @param upstreamNanos -1 when no server answered
 */
public record AccessLogEntry(
        long epochMillis,
        String client,
        String method,
        String uri,
        String version,
        int status,
        long bytes,
        String pool,
        String server,
        long upstreamNanos,
        long totalNanos,
        int retries,
        String requestId) {}
