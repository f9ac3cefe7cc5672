package dev.fieldseal.field;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A path to a field inside a record value, in the style of Kafka's KIP-821: segments separated
 * by dots ({@code customer.address.street}); a segment holding a dot is quoted with backticks
 * ({@code `customer.id`}, a backtick inside quotes is doubled); {@code [*]} after a segment means
 * every element of the array found there ({@code items[*].ssn}). In a map, a segment names a key.
 *
 * <p>The canonical text ({@link #toString()}) is bound into each ciphertext as associated data,
 * so a value moved to another field does not decrypt.
 */
public final class FieldPath {

    /** One step: a field (or map key) name, and whether it fans out over an array's elements. */
    public record Segment(String name, boolean eachElement) {
    }

    public static final ConfigDef.Validator VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof List<?> list) {
                for (Object o : list) {
                    try {
                        parse(String.valueOf(o));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(name, o, e.getMessage());
                    }
                }
            }
        }

        @Override
        public String toString() {
            return "comma-separated field paths: a.b.c, `dotted.name`, items[*].field";
        }
    };

    private final List<Segment> segments;
    private final String canonical;

    private FieldPath(List<Segment> segments) {
        this.segments = List.copyOf(segments);
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(segmentText(s.name(), s.eachElement()));
        }
        this.canonical = sb.toString();
    }

    /** The canonical text of one segment: quoted if needed, with [*] if it fans out. */
    public static String segmentText(String name, boolean eachElement) {
        String text = needsQuotes(name) ? '`' + name.replace("`", "``") + '`' : name;
        return eachElement ? text + "[*]" : text;
    }

    /**
     * Whether a field name must be quoted in a path (else the segment is the name itself). One pass
     * over the characters: it runs for every encrypted value found.
     */
    static boolean needsQuotes(String name) {
        if (name.isEmpty()) {
            return true;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '`' || c == '[') {
                return true;
            }
        }
        return false;
    }

    /** The canonical path of a segment below {@code parent} (empty for the root). */
    public static String append(String parent, String name, boolean eachElement) {
        String seg = segmentText(name, eachElement);
        return parent.isEmpty() ? seg : parent + "." + seg;
    }

    /** A path of one top-level field, named as is (no parsing). */
    public static FieldPath ofField(String name) {
        return new FieldPath(List.of(new Segment(name, false)));
    }

    public static FieldPath of(List<Segment> segments) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a field path needs at least one segment");
        }
        return new FieldPath(segments);
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException naming the path and the position of the problem
     */
    public static FieldPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Empty field path: name a field, e.g. 'email' or 'customer.email'.");
        }
        String p = text.trim();
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        while (true) {
            StringBuilder name = new StringBuilder();
            if (i < p.length() && p.charAt(i) == '`') {
                i++;
                boolean closed = false;
                while (i < p.length()) {
                    char c = p.charAt(i);
                    if (c == '`') {
                        if (i + 1 < p.length() && p.charAt(i + 1) == '`') {
                            name.append('`');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    name.append(c);
                    i++;
                }
                if (!closed) {
                    throw bad(p, i, "unclosed backtick; quote a name holding dots as `a.b`");
                }
            } else {
                while (i < p.length() && p.charAt(i) != '.' && p.charAt(i) != '[') {
                    char c = p.charAt(i);
                    if (c == '`' || c == ']') {
                        throw bad(p, i, "unexpected '" + c + "'; quote the whole segment with backticks");
                    }
                    name.append(c);
                    i++;
                }
            }
            if (name.length() == 0) {
                throw bad(p, i, "empty segment");
            }
            boolean each = false;
            if (p.startsWith("[*]", i)) {
                each = true;
                i += 3;
            } else if (i < p.length() && p.charAt(i) == '[') {
                throw bad(p, i, "only [*] (every element) is supported after a field name");
            }
            segments.add(new Segment(name.toString(), each));
            if (i == p.length()) {
                break;
            }
            if (p.charAt(i) != '.') {
                throw bad(p, i, "expected '.' between segments");
            }
            i++;
            if (i == p.length()) {
                throw bad(p, i, "path ends with '.'");
            }
        }
        return new FieldPath(segments);
    }

    public static List<FieldPath> parseAll(List<String> texts) {
        List<FieldPath> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(parse(t));
        }
        return out;
    }

    private static IllegalArgumentException bad(String path, int pos, String what) {
        return new IllegalArgumentException("Malformed field path '" + path + "' at position " + pos + ": " + what + ".");
    }

    public List<Segment> segments() {
        return segments;
    }

    public int depth() {
        return segments.size();
    }

    public Segment head() {
        return segments.get(0);
    }

    /** The path below the first segment, or null for a single-segment path. */
    public FieldPath tail() {
        return segments.size() == 1 ? null : new FieldPath(segments.subList(1, segments.size()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath f && canonical.equals(f.canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    /** The canonical text, as bound into ciphertexts. */
    @Override
    public String toString() {
        return canonical;
    }
}
