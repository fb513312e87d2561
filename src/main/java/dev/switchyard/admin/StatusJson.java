package dev.switchyard.admin;

import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import java.time.Instant;
import java.util.Collection;

/**
 * The body of {@code GET /status}: every pool and server with its state, since when, the
 * last check and the live counters. Written by hand: a dozen fields do not justify a JSON
 * library on the classpath. Stateless; reads the volatile and atomic server fields.
 */
final class StatusJson {

    private StatusJson() {}

    static String render(Collection<Pool> pools, ProxyMetrics metrics, long nowMillis) {
        StringBuilder json = new StringBuilder(256 + pools.size() * 512);
        json.append("{\"time\":")
                .append(string(Instant.ofEpochMilli(nowMillis).toString()))
                .append(",\"pools\":[");
        boolean firstPool = true;
        for (Pool pool : pools) {
            if (!firstPool) {
                json.append(',');
            }
            firstPool = false;
            json.append("{\"name\":")
                    .append(string(pool.name()))
                    .append(",\"usable\":")
                    .append(pool.usable().size())
                    .append(",\"servers\":[");
            boolean firstServer = true;
            for (Server server : pool.servers()) {
                if (!firstServer) {
                    json.append(',');
                }
                firstServer = false;
                server(json, server, metrics.upstreamP99Millis(pool, server));
            }
            json.append("]}");
        }
        return json.append("]}\n").toString();
    }

    private static void server(StringBuilder json, Server server, double p99Millis) {
        json.append("{\"address\":")
                .append(string(server.label()))
                .append(",\"weight\":")
                .append(server.weight())
                .append(",\"backup\":")
                .append(server.backup())
                .append(",\"state\":")
                .append(string(server.state().name()))
                .append(",\"since\":")
                .append(string(Instant.ofEpochMilli(server.stateSinceMillis()).toString()))
                .append(",\"lastCheck\":")
                .append(string(server.lastCheck()))
                .append(",\"inFlight\":")
                .append(server.inFlight())
                .append(",\"requests\":")
                .append(server.requests())
                .append(",\"failures\":")
                .append(server.failures())
                .append(",\"openConnections\":")
                .append(server.openConnections())
                .append(",\"p99Ms\":")
                .append(Double.isNaN(p99Millis) ? "null" : String.format(java.util.Locale.ROOT, "%.2f", p99Millis))
                .append('}');
    }

    /** A JSON string literal (RFC 8259 §7). */
    static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
