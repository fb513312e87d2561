package dev.switchyard.config;

import java.util.List;

/**
 * A configuration that must not start the proxy, with every reason at once so that one edit
 * fixes them all. Each error is one line: {@code <file>:<line>: <key path>: <reason>}.
 */
public final class InvalidConfigException extends Exception {

    private final List<String> errors;

    InvalidConfigException(List<String> errors) {
        super(String.join("\n", errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid config has at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error found, one line each, ordered by file and line. */
    public List<String> errors() {
        return errors;
    }
}
