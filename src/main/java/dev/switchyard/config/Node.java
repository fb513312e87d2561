package dev.switchyard.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One HOCON object of the merged, resolved config, read key by key. Confined to the loading thread.
 *
 * <p>No accessor throws: a missing, mistyped or unparsable value is recorded in {@link Problems}
 * and the accessor returns null, so one pass over the file reports every error. Callers build a
 * record only from non-null parts; whatever they build after a problem is thrown away.
 */
final class Node {

    private final ConfigObject object;
    private final KeyPath path;
    private final Problems problems;

    Node(ConfigObject object, KeyPath path, Problems problems) {
        this.object = object;
        this.path = path;
        this.problems = problems;
    }

    /** Where this object sits, for messages that point at another element ("already at ..."). */
    KeyPath path() {
        return path;
    }

    /** The key this object sits under, e.g. the pool name for {@code switchyard.pools.web}. */
    String name() {
        return path.lastKey();
    }

    /** Records each key the section does not list, at that key's line, with a likely correction. */
    void rejectUnknownKeys(Schema.Section section) {
        for (String key : keys()) {
            if (!section.keys().contains(key)) {
                String hint = Spelling.hint(key, section.keys());
                String reason = hint.isEmpty()
                        ? "unknown key; known keys here: " + String.join(", ", section.keys())
                        : "unknown key" + hint;
                problems.at(path.key(key), object.get(key), reason);
            }
        }
    }

    /** This object's keys in file order (typesafe-config keeps them in a hash map). */
    List<String> keys() {
        List<String> keys = new ArrayList<>(object.keySet());
        keys.sort(
                Comparator.comparingInt((String key) -> object.get(key).origin().lineNumber())
                        .thenComparing(Comparator.naturalOrder()));
        return keys;
    }

    /**
     * True if the key is written, even as {@code null}: an explicit null is then read and refused
     * like any other wrong type, never quietly taken for "absent".
     */
    boolean has(String key) {
        return object.get(key) != null;
    }

    /** Records a problem with the key's value, or with this object if the key is absent. */
    void reject(String key, String reason) {
        ConfigValue value = object.get(key);
        problems.at(path.key(key), value != null ? value : object, reason);
    }

    /** Records a problem with this object as a whole. */
    void rejectSelf(String reason) {
        problems.at(path, object, reason);
    }

    /** A required string; numbers and booleans read as their text, as HOCON specifies. */
    String string(String key) {
        return read(key, null, "a string", one -> one.getString("v"));
    }

    /** An optional string, fallback if absent. */
    String string(String key, String fallback) {
        return read(key, fallback, "a string", one -> one.getString("v"));
    }

    /**
     * One of the {@code valid} words, fallback if absent (required if fallback is null). An
     * unknown word is refused with the closest valid one and the whole list.
     */
    String choice(String key, String fallback, List<String> valid) {
        String word = string(key, fallback);
        if (word != null && !valid.contains(word)) {
            reject(
                    key,
                    "unknown " + key + " \"" + word + "\"" + Spelling.hint(word, valid) + " (valid: "
                            + String.join(", ", valid) + ")");
            return null;
        }
        return word;
    }

    /** A required whole number. */
    Integer integer(String key) {
        return integer(key, null);
    }

    /** An optional whole number; fallback if absent, required if fallback is null. */
    Integer integer(String key, Integer fallback) {
        return read(key, fallback, "a whole number", Node::wholeNumber);
    }

    /**
     * An optional list of whole numbers, each within min..max, in file order; fallback if absent.
     * Every element that is not a whole number or is out of range is recorded at its own line,
     * and the result is then null.
     */
    List<Integer> integerList(String key, List<Integer> fallback, int min, int max) {
        ConfigValue value = object.get(key);
        if (value == null) {
            return fallback;
        }
        if (value.valueType() != ConfigValueType.LIST) {
            problems.at(path.key(key), value, "expected a list of whole numbers [ ... ], got " + describe(value));
            return null;
        }
        ConfigList list = (ConfigList) value;
        List<Integer> numbers = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            Integer number;
            try {
                number = wholeNumber(element.atKey("v"));
            } catch (ConfigException wrong) {
                // A null element lands here too: the library calls it missing.
                number = null;
            }
            if (number == null) {
                problems.at(path.key(key).index(i), element, "expected a whole number, got " + describe(element));
                valid = false;
            } else if (number < min || number > max) {
                problems.at(
                        path.key(key).index(i), element, "must be between " + min + " and " + max + ", got " + number);
                valid = false;
            } else {
                numbers.add(number);
            }
        }
        return valid ? numbers : null;
    }

    /** An optional boolean (HOCON also reads yes/no and on/off); fallback if absent. */
    Boolean bool(String key, Boolean fallback) {
        return read(key, fallback, "true or false", one -> one.getBoolean("v"));
    }

    /** A required duration, which must be positive: every deadline of the contract is. */
    Duration positiveDuration(String key) {
        return positiveDuration(key, null);
    }

    /** An optional positive duration; fallback if absent, required if fallback is null. */
    Duration positiveDuration(String key, Duration fallback) {
        Duration duration = read(key, fallback, "a duration such as 500ms, 2s or 1m", one -> one.getDuration("v"));
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            reject(key, "must be positive, got " + object.get(key).unwrapped());
            return null;
        }
        return duration;
    }

    /**
     * A required size in bytes; HOCON reads 16k as 16384 and 1m as 1048576 (binary units; kB and
     * MB are the decimal ones).
     */
    Long bytes(String key) {
        return read(
                key,
                null,
                "a size such as 16k or 1m",
                one -> one.getMemorySize("v").toBytes());
    }

    /** A required host:port; port 0 only where allowPortZero (see {@link HostPort#parse}). */
    HostPort address(String key, boolean allowPortZero) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        try {
            return HostPort.parse(text, allowPortZero);
        } catch (IllegalArgumentException invalid) {
            reject(key, "invalid address \"" + text + "\": " + invalid.getMessage());
            return null;
        }
    }

    /** An optional nested object: null if absent, or after recording that it is not an object. */
    Node object(String key) {
        ConfigValue value = object.get(key);
        if (value == null) {
            return null;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            problems.at(path.key(key), value, "expected an object { ... }, got " + describe(value));
            return null;
        }
        return new Node((ConfigObject) value, path.key(key), problems);
    }

    /** Every value of this object as a Node, in file order; a value that is not an object is recorded. */
    List<Node> objectValues() {
        List<Node> nodes = new ArrayList<>();
        for (String key : keys()) {
            Node child = object(key);
            if (child != null) {
                nodes.add(child);
            }
        }
        return nodes;
    }

    /**
     * A required, non-empty list of objects, elements in file order; null if missing or not a list.
     * An empty list is recorded with whenEmpty as the reason; an element that is not an object is
     * recorded and left out.
     */
    List<Node> objectList(String key, String whenEmpty) {
        ConfigValue value = object.get(key);
        if (value == null) {
            reject(key, "missing required key");
            return null;
        }
        if (value.valueType() != ConfigValueType.LIST) {
            problems.at(path.key(key), value, "expected a list [ { ... } ], got " + describe(value));
            return null;
        }
        ConfigList list = (ConfigList) value;
        if (list.isEmpty()) {
            problems.at(path.key(key), value, whenEmpty);
        }
        // A bad element is left out but the rest are still returned: its neighbours' errors must
        // show in the same run.
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            if (element.valueType() == ConfigValueType.OBJECT) {
                nodes.add(new Node((ConfigObject) element, path.key(key).index(i), problems));
            } else {
                problems.at(path.key(key).index(i), element, "expected an object { ... }, got " + describe(element));
            }
        }
        return nodes;
    }

    /** The value of key "v" as an int, refusing what is not written whole. */
    private static Integer wholeNumber(Config one) {
        // typesafe-config's getInt truncates 3.5 to 3; a count or a weight must be written whole.
        ConfigValue value = one.getValue("v");
        Object raw = value.unwrapped();
        if (raw instanceof Integer whole) {
            return whole;
        }
        if (raw instanceof String text && text.trim().matches("-?\\d{1,9}")) {
            return Integer.parseInt(text.trim());
        }
        throw new ConfigException.WrongType(value.origin(), "not a whole number");
    }

    /** Reads key through a single-key Config, so values coerce exactly as HOCON documents. */
    private <T> T read(String key, T fallback, String expected, Function<Config, T> convert) {
        ConfigValue value = object.get(key);
        if (value == null) {
            if (fallback == null) {
                reject(key, "missing required key");
            }
            return fallback;
        }
        // The library would call a null "missing", which contradicts the line we point at.
        if (value.valueType() == ConfigValueType.NULL) {
            reject(key, "expected " + expected + ", got null");
            return null;
        }
        try {
            return convert.apply(value.atKey("v"));
        } catch (ConfigException | IllegalArgumentException wrong) {
            // The library's own message names the throwaway key "v"; ours names the real one.
            reject(key, "expected " + expected + ", got " + describe(value));
            return null;
        }
    }

    /** "string \"many\"", "number 3", "a list": what the user wrote, briefly. */
    static String describe(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NULL -> "null";
            default ->
                value.valueType().name().toLowerCase(Locale.ROOT) + " " + value.render(ConfigRenderOptions.concise());
        };
    }
}
