package dev.switchyard.config;

import java.util.Objects;

/**
 * A host and a TCP port, as written in {@code bind} and {@code address} keys. Immutable.
 *
 * <p>The host is kept as written (a name, an IPv4 literal, or an IPv6 literal without its
 * brackets); it is resolved only when a listener binds or a backend is dialled, so a name whose
 * DNS record changes is followed on the next connect.
 *
 * @param host host name or IP literal, never bracketed
 * @param port 0 (ephemeral, listeners only) to 65535
 */
public record HostPort(String host, int port) {

    private static final int MAX_PORT = 65_535;

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host");
        }
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port " + port + " out of range 0-" + MAX_PORT);
        }
    }

    /**
     * Parses {@code "host:port"} or {@code "[ipv6]:port"}.
     *
     * @param allowPortZero true where the OS may pick the port (a listener in a test), false where
     *                      a real peer must be named (a backend server)
     * @throws IllegalArgumentException whose message is the precise reason alone, e.g.
     *                                  {@code missing port} or {@code port 70000 out of range 1-65535};
     *                                  the caller adds which key and which text
     */
    public static HostPort parse(String text, boolean allowPortZero) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address");
        }
        if (text.contains("://")) {
            // A common slip: backends are dialled over plain HTTP/1.1, so a scheme says nothing.
            throw new IllegalArgumentException("expected host:port, not a URL");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after IPv6 host");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("missing port");
            }
            if (rest.charAt(0) != ':') {
                throw new IllegalArgumentException("expected ':' and a port after ']'");
            }
            port = rest.substring(1);
            checkIpv6Host(host);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("missing port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            // Two colons cannot be split unambiguously: "::1:80" might be ::1 port 80 or ::1:80 with
            // no port. RFC 3986 §3.2.2 requires brackets for exactly this reason.
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("an IPv6 host must be in brackets, e.g. [::1]:8080");
            }
            checkNameOrIpv4(host);
        }
        return new HostPort(host, parsePort(port, allowPortZero));
    }

    private static int parsePort(String text, boolean allowPortZero) {
        int min = allowPortZero ? 0 : 1;
        if (text.isEmpty()) {
            throw new IllegalArgumentException("missing port");
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                // Integer.parseInt would accept "+80"; a port is plain digits only.
                throw new IllegalArgumentException("port \"" + text + "\" is not a number");
            }
        }
        // More than 6 digits cannot be in range and might overflow an int.
        int port = text.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(text);
        if (port < min || port > MAX_PORT) {
            throw new IllegalArgumentException("port " + text + " out of range " + min + "-" + MAX_PORT);
        }
        return port;
    }

    private static void checkNameOrIpv4(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            // Letters, digits, '.', '-' (RFC 1123) and '_' (seen in internal service names).
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                throw new IllegalArgumentException("invalid character '" + c + "' in host \"" + host + "\"");
            }
        }
    }

    private static void checkIpv6Host(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host between '[' and ']'");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            // Hex digits and ':' for the address, '.' for an embedded IPv4 tail, '%' for a zone id.
            if (!(Character.isLetterOrDigit(c) || c == ':' || c == '.' || c == '%')) {
                throw new IllegalArgumentException("invalid character '" + c + "' in IPv6 host \"" + host + "\"");
            }
        }
        if (host.indexOf(':') < 0) {
            throw new IllegalArgumentException("brackets are for IPv6 hosts only, got [" + host + "]");
        }
    }

    /**
     * Whether the host is certainly this machine's loopback: {@code localhost}, an IPv4 literal in
     * 127.0.0.0/8 or the IPv6 loopback. Decided from the text alone, without DNS: a name that might
     * resolve elsewhere is not loopback, so a check built on this errs on the safe side.
     */
    public boolean isLoopback() {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.indexOf(':') >= 0) {
            String address = host.indexOf('%') >= 0 ? host.substring(0, host.indexOf('%')) : host;
            return address.equals("::1") || address.matches("(0{1,4}:){7}0{0,3}1|(0{1,4}:){1,6}:0{0,3}1");
        }
        String[] octets = host.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("[0-9]{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code host:port}, with an IPv6 host in brackets so that {@link #parse} reads it back. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
