package dev.switchyard.config;

import java.util.Objects;

/**
 * The access log: one line per exchange, written by a background thread so that a request never
 * waits on it. Immutable.
 *
 * @param enabled   false writes nothing; the other settings are validated all the same
 * @param format    {@code text} (one combined-log-like line) or {@code json} (one JSON object per line)
 * @param output    {@code stdout}, or the path of a file to append to, whose directory exists
 * @param queueSize lines that may wait for the writer thread, 1024 to 16777216; when it is full a
 *                  line is dropped and counted, never waited for
 */
public record AccessLogConfig(boolean enabled, String format, String output, int queueSize) {

    public AccessLogConfig {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(output, "output");
    }
}
