package dev.switchyard.upstream;

import java.util.Locale;

/**
 * Turns a socket exception into the few words an operator reads in a log line or a 502 body:
 * "connection refused", not "finishConnect(..) failed with error(-111): Connection refused:
 * /127.0.0.1:9001". Stateless.
 */
public final class FailureReason {

    private FailureReason() {}

    public static String of(Throwable cause, String fallback) {
        if (cause == null || cause.getMessage() == null || cause.getMessage().isBlank()) {
            return cause == null ? fallback : fallback + " (" + cause.getClass().getSimpleName() + ")";
        }
        String message = cause.getMessage();
        int address = message.indexOf(": /");
        if (address > 0) {
            message = message.substring(0, address);
        }
        int lastColon = message.lastIndexOf(": ");
        if (lastColon >= 0) {
            message = message.substring(lastColon + 2);
        }
        return message.toLowerCase(Locale.ROOT);
    }
}
