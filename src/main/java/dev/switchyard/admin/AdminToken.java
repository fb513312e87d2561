package dev.switchyard.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The check on a mutating admin request: with a token configured, its {@code Authorization}
 * header must be {@code Bearer <token>}; without one (a loopback bind, which the config loader
 * enforces) every request passes. Immutable.
 */
final class AdminToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] expected;

    /** @param token the configured secret, or null for none */
    AdminToken(String token) {
        this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean admits(String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] presented = authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        // Constant time in the matching prefix, so the answer's timing does not reveal the token byte by byte.
        return MessageDigest.isEqual(expected, presented);
    }
}
