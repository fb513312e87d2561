package dev.switchyard.accesslog;

import java.util.Locale;

/** The two line formats: combined-log-like text, and JSON lines. Stateless. */
enum AccessLogFormat {
    TEXT {
        @Override
        void append(StringBuilder out, AccessLogEntry e, TimeText time) {
            time.append(out, e.epochMillis());
            out.append(' ')
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
                    .append(" upstream_ms=");
            appendMillisOr(out, e.upstreamNanos(), "-");
            out.append(" total_ms=");
            appendMillis(out, e.totalNanos());
            out.append(" retries=")
                    .append(e.retries())
                    .append(" request_id=")
                    .append(e.requestId() == null ? "-" : e.requestId())
                    .append('\n');
        }
    },

    JSON {
        @Override
        void append(StringBuilder out, AccessLogEntry e, TimeText time) {
            out.append("{\"time\":\"");
            time.append(out, e.epochMillis());
            out.append('"');
            field(out, "client", e.client());
            field(out, "method", e.method());
            field(out, "path", e.uri());
            field(out, "version", e.version());
            out.append(",\"status\":").append(e.status()).append(",\"bytes\":").append(e.bytes());
            field(out, "pool", e.pool());
            field(out, "server", e.server());
            out.append(",\"upstream_ms\":");
            appendMillisOr(out, e.upstreamNanos(), "null");
            out.append(",\"total_ms\":");
            appendMillis(out, e.totalNanos());
            out.append(",\"retries\":").append(e.retries());
            field(out, "request_id", e.requestId());
            out.append("}\n");
        }
    };

    /** Appends one line; {@code time} is the calling writer's own. */
    abstract void append(StringBuilder out, AccessLogEntry entry, TimeText time);

    static AccessLogFormat named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * Milliseconds with one decimal, as {@code String.format("%.1f")} writes them (half up),
     * without a Formatter: the formatting was most of the writer thread's time per line, and
     * that thread shares the cores with the event loops.
     */
    static void appendMillis(StringBuilder out, long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        out.append(tenths / 10).append('.').append(tenths % 10);
    }

    /** A time that may be unknown (negative: no server answered), as {@code absent} then. */
    private static void appendMillisOr(StringBuilder out, long nanos, String absent) {
        if (nanos < 0) {
            out.append(absent);
        } else {
            appendMillis(out, nanos);
        }
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
