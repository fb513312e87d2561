package dev.switchyard.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every problem found in one config, each placed at the file and line that causes it. Confined
 * to the thread running one load.
 *
 * <p>The user fixes the file they wrote, so a location must be in that file. A value that came
 * from {@code reference.conf}, from an environment variable, or from merging the two has no such
 * line; such a problem is placed at the nearest enclosing key the user did write.
 */
final class Problems {

    /** Origin description given to reference.conf, so its values are recognised as defaults. */
    static final String DEFAULTS_ORIGIN = "switchyard defaults (reference.conf)";

    /** The line suffix typesafe-config appends to descriptions: ": 12" or, after a merge, ": 1-7". */
    private static final Pattern LINE_SUFFIX = Pattern.compile(": \\d+(-\\d+)?$");

    private record Problem(String file, int line, String path, String reason) {

        String render() {
            return file + (line >= 0 ? ":" + line : "") + ": " + (path == null ? "" : path + ": ") + reason;
        }
    }

    private final String source;
    private final String parsedAs;
    private final ConfigObject userRoot;
    private final List<Problem> found = new ArrayList<>();

    /**
     * @param source   the name errors give the user's file (its path, or the parse origin name)
     * @param parsedAs the name typesafe-config knows the file by, if it differs from source
     * @param userRoot the user's file as parsed, before defaults and substitutions; null if it did
     *                 not parse
     */
    Problems(String source, String parsedAs, ConfigObject userRoot) {
        this.source = source;
        this.parsedAs = parsedAs;
        this.userRoot = userRoot;
    }

    /** A problem with the value at path; value may be null or a default, see the class comment. */
    void at(KeyPath path, ConfigValue value, String reason) {
        ConfigOrigin origin = value != null && isWrittenByUser(value.origin()) ? value.origin() : nearestWritten(path);
        if (origin == null) {
            found.add(new Problem(source, -1, path.toString(), reason));
        } else {
            found.add(new Problem(fileOf(origin), origin.lineNumber(), path.toString(), reason));
        }
    }

    /** A problem typesafe-config found (syntax, substitution), placed where it says. */
    void at(ConfigException error, String what) {
        ConfigOrigin origin = error.origin();
        String message = error.getMessage();
        if (origin == null) {
            found.add(new Problem(source, -1, what, message));
            return;
        }
        // The library prefixes its message with the origin, which our own prefix already says.
        String prefix = origin.description() + ": ";
        String reason = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        found.add(new Problem(fileOf(origin), origin.lineNumber(), what, reason));
    }

    /** A problem with the file as a whole, which has no line (missing, unreadable). */
    void atFile(String reason) {
        found.add(new Problem(source, -1, null, reason));
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    /** Rendered lines, grouped by file (user file first) and ordered by line, to read top-down. */
    List<String> lines() {
        Map<String, Integer> fileOrder = new LinkedHashMap<>();
        fileOrder.put(source, 0);
        for (Problem problem : found) {
            fileOrder.putIfAbsent(problem.file(), fileOrder.size());
        }
        // List.sort is stable: problems on one line keep the order the readers found them in.
        List<Problem> sorted = new ArrayList<>(found);
        sorted.sort(
                Comparator.comparingInt((Problem p) -> fileOrder.get(p.file())).thenComparingInt(Problem::line));
        return sorted.stream().map(Problem::render).toList();
    }

    private boolean isWrittenByUser(ConfigOrigin origin) {
        String file = fileOf(origin);
        // A merge of two files has no single line; typesafe-config reports -1 or describes both.
        return origin.lineNumber() >= 0 && !file.startsWith("merge of ") && !file.equals(DEFAULTS_ORIGIN);
    }

    /** The deepest value along path that the user's own file contains, or the file's root. */
    private ConfigOrigin nearestWritten(KeyPath path) {
        if (userRoot == null) {
            return null;
        }
        ConfigValue current = userRoot;
        ConfigOrigin nearest = isWrittenByUser(userRoot.origin()) ? userRoot.origin() : null;
        for (Object segment : path.segments()) {
            ConfigValue next = null;
            try {
                if (current instanceof ConfigObject object && segment instanceof String key) {
                    next = object.get(key);
                } else if (current instanceof ConfigList list
                        && segment instanceof Integer index
                        && index < list.size()) {
                    next = list.get(index);
                }
            } catch (ConfigException unresolved) {
                // The user's tree is unresolved: a value built by substitution cannot be walked into.
                next = null;
            }
            if (next == null) {
                break;
            }
            current = next;
            if (isWrittenByUser(current.origin())) {
                nearest = current.origin();
            }
        }
        return nearest;
    }

    private String fileOf(ConfigOrigin origin) {
        // Parsed from a string or URL, there is no filename: the description is the name plus the line.
        String file = origin.filename() != null
                ? origin.filename()
                : LINE_SUFFIX.matcher(origin.description()).replaceFirst("");
        return file.equals(parsedAs) ? source : file;
    }
}
