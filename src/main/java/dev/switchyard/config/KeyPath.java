package dev.switchyard.config;

import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a value sits in the file, as an error message shows it:
 * {@code switchyard.pools.web.servers[1].weight}. Immutable.
 *
 * <p>HOCON's own path syntax cannot name list elements, and errors inside {@code servers} or
 * {@code listeners} must say which element, hence this small type.
 *
 * @param segments object keys ({@link String}) and list indices ({@link Integer}), outermost first
 */
record KeyPath(List<Object> segments) {

    static final KeyPath ROOT = new KeyPath(List.of());

    /** A key that needs no quoting in HOCON; anything else is shown quoted, as HOCON would read it. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    KeyPath {
        segments = List.copyOf(segments);
    }

    KeyPath key(String key) {
        return append(key);
    }

    KeyPath index(int index) {
        return append(index);
    }

    /** The last object key, e.g. a pool's name for {@code switchyard.pools.web}. */
    String lastKey() {
        return (String) segments.get(segments.size() - 1);
    }

    private KeyPath append(Object segment) {
        List<Object> longer = new ArrayList<>(segments);
        longer.add(segment);
        return new KeyPath(longer);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer index) {
                text.append('[').append(index).append(']');
                continue;
            }
            String key = (String) segment;
            if (text.length() > 0) {
                text.append('.');
            }
            text.append(PLAIN_KEY.matcher(key).matches() ? key : ConfigUtil.quoteString(key));
        }
        return text.toString();
    }
}
