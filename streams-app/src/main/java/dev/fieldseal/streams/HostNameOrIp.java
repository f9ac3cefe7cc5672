package dev.fieldseal.streams;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Accepts a host name (RFC 1123 labels) or an IP literal (IPv4 dotted quad, IPv6 with or without
 * brackets). It checks the spelling only and never asks DNS: configuration is validated before the
 * network is needed, and a name that does not resolve is reported when the endpoint binds.
 */
final class HostNameOrIp implements ConfigDef.Validator {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** What an IPv6 literal may contain; such text always takes the JDK's literal path, never a lookup. */
    private static final Pattern IPV6_CHARS = Pattern.compile("\\[?[0-9A-Fa-f:][0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?]?");

    @Override
    public void ensureValid(String name, Object value) {
        String s = value == null ? "" : value.toString().trim();
        if (s.isEmpty()) {
            throw refused(name, value, "it is empty");
        }
        if (s.indexOf(':') >= 0 || s.startsWith("[")) {
            if (!ipv6(s)) {
                throw refused(name, value, "it is not a valid IPv6 address");
            }
            return;
        }
        String host = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        String[] labels = host.split("\\.", -1);
        // a name whose last label is all digits can only be meant as an IPv4 address
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            if (!ipv4(s)) {
                throw refused(name, value, "it is not a valid IPv4 address");
            }
            return;
        }
        if (host.length() > 253) {
            throw refused(name, value, "a host name has at most 253 characters");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw refused(name, value, "'" + label + "' is not a host name label (letters, digits and inner "
                        + "'-', at most 63 characters)");
            }
        }
    }

    private static boolean ipv4(String s) {
        if (!IPV4.matcher(s).matches()) {
            return false;
        }
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Parsed by the JDK, which takes text that starts with a hex digit or ':' as a literal and does no lookup. */
    private static boolean ipv6(String s) {
        if (!IPV6_CHARS.matcher(s).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static ConfigException refused(String name, Object value, String why) {
        return new ConfigException(name, value, "Not a host name or IP address to listen on (" + why + "). Use "
                + "0.0.0.0 for every interface, 127.0.0.1 for this host only, or a name or address of this host.");
    }

    @Override
    public String toString() {
        return "a host name or an IP address";
    }
}
