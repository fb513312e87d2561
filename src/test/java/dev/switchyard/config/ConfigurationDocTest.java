package dev.switchyard.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/configuration.md honest: every key that reference.conf or {@link Schema} knows must
 * be documented under its full dotted path, and every key that is refused as "not supported yet"
 * must say so in its row, and no other row may. Adding a key without documenting it fails here,
 * naming the key.
 */
class ConfigurationDocTest {

    /** Maven runs tests from the project root. */
    private static final Path DOC = Path.of("docs/configuration.md");

    /** Keys refused for now, by the documented path of their row; keys below them are refused too. */
    private static final Map<String, String> NOT_SUPPORTED_ROWS =
            Map.of("switchyard.listeners[].tls", "not supported yet");

    @Test
    void documentsEveryKeyOfReferenceConfAndSchema() throws IOException {
        String doc = Files.readString(DOC);

        List<String> undocumented = new ArrayList<>();
        for (String path : knownPaths()) {
            if (!doc.contains("`" + path + "`")) {
                undocumented.add(path);
            }
        }

        assertThat(undocumented)
                .as("keys missing from %s (write each full dotted path in backticks)", DOC)
                .isEmpty();
    }

    @Test
    void marksEveryRefusedKeyAsNotSupportedYet() throws IOException {
        List<String> rows = Files.readAllLines(DOC);

        NOT_SUPPORTED_ROWS.forEach((path, phrase) -> assertThat(rows)
                .as("the table row of %s must say it is refused for now", path)
                .anyMatch(row -> row.startsWith("| `" + path + "` |")
                        && row.toLowerCase(Locale.ROOT).contains(phrase.toLowerCase(Locale.ROOT))));
    }

    @Test
    void marksNoOtherKeyAsNotSupportedYet() throws IOException {
        List<String> rows = Files.readAllLines(DOC);

        assertThat(rows)
                .filteredOn(row -> row.startsWith("| `switchyard")
                        && row.toLowerCase(Locale.ROOT).contains("not supported yet"))
                .as("a key that works must not be documented as refused")
                .allMatch(row -> NOT_SUPPORTED_ROWS.keySet().stream().anyMatch(path -> row.startsWith("| `" + path)));
    }

    @Test
    void walksReferenceConfLeavesAndPerElementKeys() {
        Set<String> paths = knownPaths();

        assertThat(paths)
                .as("a leaf of reference.conf, a list as a whole, and keys only the Schema knows")
                .contains(
                        "switchyard.timeouts.connect",
                        "switchyard.listeners",
                        "switchyard.routes",
                        "switchyard.pools.<name>.servers[].weight",
                        "switchyard.admin.bind");
    }

    /** Leaf paths of reference.conf (a list counts as one leaf) plus every key of every Schema section. */
    private static Set<String> knownPaths() {
        Config reference = ConfigFactory.parseURL(ConfigLoader.class.getResource("/reference.conf"));
        Set<String> paths = new LinkedHashSet<>();
        reference.entrySet().forEach(entry -> paths.add(entry.getKey()));
        for (Schema.Section section : Schema.SECTIONS) {
            for (String key : section.keys()) {
                paths.add(section.pathOf(key));
            }
        }
        return paths;
    }
}
