package dev.switchyard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live status page served at {@code GET /}: one self-contained HTML file (no external
 * assets, so it works on an air-gapped admin network) whose script polls {@code /status}
 * every 2 s. Loaded once from the jar. Immutable.
 */
final class StatusPage {

    private static final String HTML = load();

    private StatusPage() {}

    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
