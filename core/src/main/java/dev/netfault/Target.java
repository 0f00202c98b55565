package dev.netfault;

import java.util.Locale;
import java.util.Objects;

/**
 * Where the application connects, as the {@link SocketAgent} matches it: a host and a port, a host
 * (any port) or a port (any host). A host matches by the name the application used
 * ({@code "db.internal"}) and by the addresses that name resolved to when the rule was made.
 *
 * @param host the host name or address literal, or {@code null} for any host
 * @param port the port, or 0 for any port
 * @since 0.1
 */
public record Target(String host, int port) {

    /**
     * Checks the parts and lower-cases the host.
     *
     * @param host the host name or address literal (IPv6 without brackets), or {@code null} for any host; not blank
     * @param port the port, from 1 to 65535, or 0 for any port; not 0 when the host is {@code null}
     * @throws IllegalArgumentException if a part is out of range, or both are "any"
     */
    public Target {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("a target port must be from 1 to 65535 (or 0 for any port), but was " + port);
        }
        if (host != null && host.isBlank()) {
            throw new IllegalArgumentException("a target host must not be blank");
        }
        if (host == null && port == 0) {
            throw new IllegalArgumentException("a target needs a host, a port or both");
        }
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code "host:port"}, {@code "host"}, {@code ":port"} or {@code "[::1]:port"}.
     *
     * @param text the target as written, such as {@code "db.internal:5432"}; surrounding blanks are ignored
     * @return the target, its host lower-cased
     * @throws IllegalArgumentException if it does not parse
     */
    public static Target parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.trim();
        String host = value;
        int port = 0;
        int colon = value.lastIndexOf(':');
        boolean bracketed = value.startsWith("[");
        if (!bracketed && value.indexOf(':') != colon) {
            throw new IllegalArgumentException(ipv6WithoutBrackets(text, value));
        }
        if (colon >= 0 && (!bracketed || colon > value.indexOf(']')) && (bracketed || value.indexOf(':') == colon)) {
            host = value.substring(0, colon);
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a target must be host:port, host or :port, such as \"db.internal:5432\", but was \"" + text + "\"");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("a target port must be from 1 to 65535, but was " + port + " in \"" + text + "\"");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() && port == 0) {
            throw new IllegalArgumentException("a target must be host:port, host or :port, such as \"db.internal:5432\", but was \"" + text + "\"");
        }
        return new Target(host.isEmpty() ? null : host, port);
    }

    private static String ipv6WithoutBrackets(String text, String value) {
        int colon = value.lastIndexOf(':');
        String tail = value.substring(colon + 1);
        String asPort = tail.chars().allMatch(Character::isDigit) && !tail.isEmpty() && tail.length() <= 5
                && Integer.parseInt(tail) >= 1 && Integer.parseInt(tail) <= 65535
                ? "\"[" + value.substring(0, colon) + "]:" + tail + "\" for that address and port " + tail + ", or " : "";
        return "an IPv6 address in a target must be written in brackets, but was \"" + text + "\": write " + asPort
                + "\"[" + value + "]\" for the address on any port";
    }

    /**
     * {@return a target for {@code port} on any host}
     *
     * @param port the port, from 1 to 65535
     */
    public static Target port(int port) {
        return new Target(null, port);
    }


    @Override
    public String toString() {
        String h = host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == 0 ? h : h + ":" + port;
    }
}
