package dev.switchyard.accesslog;

import java.time.Instant;
import java.util.Locale;

/** The two line formats: combined-log-like text, and JSON lines. Stateless. */
enum AccessLogFormat {
    TEXT {
        @Override
        void append(StringBuilder out, AccessLogEntry e) {
            out.append(Instant.ofEpochMilli(e.epochMillis()))
                    .append(' ')
                    .append(e.client())
                    .append(" \"")
                    .append(e.method())
                    .append(' ')
                    .append(sanitize(e.uri()))
                    .append(' ')
                    .append(e.version())
                    .append("\" ")
                    .append(e.status())
                    .append(' ')
                    .append(e.bytes())
                    .append(" pool=")
                    .append(e.pool() == null ? "-" : e.pool())
                    .append(" server=")
                    .append(e.server() == null ? "-" : e.server())
                    .append(" upstream_ms=")
                    .append(e.upstreamNanos() < 0 ? "-" : millis(e.upstreamNanos()))
                    .append(" total_ms=")
                    .append(millis(e.totalNanos()))
                    .append(" retries=")
                    .append(e.retries())
                    .append(" request_id=")
                    .append(e.requestId() == null ? "-" : e.requestId())
                    .append('\n');
        }
    },

    JSON {
        @Override
        void append(StringBuilder out, AccessLogEntry e) {
            out.append("{\"time\":\"")
                    .append(Instant.ofEpochMilli(e.epochMillis()))
                    .append('"');
            field(out, "client", e.client());
            field(out, "method", e.method());
            field(out, "path", e.uri());
            field(out, "version", e.version());
            out.append(",\"status\":").append(e.status()).append(",\"bytes\":").append(e.bytes());
            field(out, "pool", e.pool());
            field(out, "server", e.server());
            out.append(",\"upstream_ms\":")
                    .append(e.upstreamNanos() < 0 ? "null" : millis(e.upstreamNanos()))
                    .append(",\"total_ms\":")
                    .append(millis(e.totalNanos()))
                    .append(",\"retries\":")
                    .append(e.retries());
            field(out, "request_id", e.requestId());
            out.append("}\n");
        }
    };

    abstract void append(StringBuilder out, AccessLogEntry entry);

    static AccessLogFormat named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** A request target is client-controlled: no raw control characters or quotes in a text line. */
    private static String sanitize(String uri) {
        StringBuilder out = null;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                if (out == null) {
                    out = new StringBuilder(uri.length() + 8).append(uri, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? uri : out.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
