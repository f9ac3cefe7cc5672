package dev.fieldseal.keyselect;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.kms.azure.KeyVaultKeyId;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A key id with placeholders, {@code https://contoso.vault.azure.net/keys/tenant-${value.tenant_id}}:
 * {@code ${topic}}, {@code ${key}} / {@code ${value}} (a key or value that is one scalar) and
 * {@code ${key.<path>}} / {@code ${value.<path>}} (a field, in fieldseal's path syntax, without
 * {@code [*]}). Placeholders may only stand in the key name, never in the vault or the path, and
 * each must give letters, digits and dashes only: so every id a template produces is a key of the
 * template's vault, and a record cannot steer a request anywhere else (no {@code /}, {@code ?},
 * {@code @}, {@code %} can come from data). Immutable; thread-safe.
 */
public final class KekTemplate {

    /** Where a placeholder reads from. */
    public enum Source { TOPIC, KEY, VALUE }

    /** One {@code ${...}}: its source, its field path (null: the whole key or value, or the topic) and its text. */
    public record Placeholder(Source source, FieldPath path, String text) {
    }

    /** Key Vault key names: 1-127 letters, digits and dashes (local keys follow the same rule here). */
    static final int MAX_NAME = 127;
    private static final String LOCAL = "local:";

    private final String text;
    /** Literal text and placeholders in order: every element is a String or a Placeholder. */
    private final List<Object> parts;
    private final List<Placeholder> placeholders;
    /** Index in the resolved id where the key name starts (the literal vault prefix is this long). */
    private final int nameStart;
    /** The vault and key path as every produced id spells it ({@code https://host[:port]/keys/}), lower case. */
    private String vaultPrefix;

    private KekTemplate(String text, List<Object> parts, List<Placeholder> placeholders, int nameStart) {
        this.text = text;
        this.parts = parts;
        this.placeholders = placeholders;
        this.nameStart = nameStart;
        this.vaultPrefix = text.substring(0, nameStart).toLowerCase(Locale.ROOT);
    }

    /** True if {@code keyId} has a {@code ${...}} placeholder. */
    public static boolean isTemplate(String keyId) {
        return keyId != null && keyId.contains("${");
    }

    /**
     * Parses a template (a key id without placeholders is a template that resolves to itself).
     *
     * @param allowGlob whether {@code *} may stand for any run of name characters (kek.allowed only)
     * @throws IllegalArgumentException naming the template and what is wrong
     */
    public static KekTemplate parse(String template, boolean allowGlob) {
        String t = template == null ? "" : template.trim();
        List<Object> parts = new ArrayList<>();
        List<Placeholder> placeholders = new ArrayList<>();
        int i = 0;
        while (i < t.length()) {
            int open = t.indexOf("${", i);
            if (open < 0) {
                parts.add(t.substring(i));
                break;
            }
            if (open > i) {
                parts.add(t.substring(i, open));
            }
            int close = t.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("Key template '" + t + "' has an unclosed '${'.");
            }
            Placeholder p = placeholder(t, t.substring(open + 2, close));
            parts.add(p);
            placeholders.add(p);
            i = close + 1;
        }
        String prefix = parts.isEmpty() || !(parts.get(0) instanceof String s) ? "" : s;
        int nameStart;
        if (prefix.startsWith(LOCAL)) {
            nameStart = LOCAL.length();
        } else {
            int keys = prefix.lastIndexOf("/keys/");
            if (!prefix.regionMatches(true, 0, "https://", 0, 8) || keys < 0) {
                throw new IllegalArgumentException("Key template '" + t + "' must start with the vault and the key "
                        + "path, https://<vault>/keys/<name with placeholders> (or local:<name>): placeholders "
                        + "stand only in the key name.");
            }
            nameStart = keys + "/keys/".length();
        }
        for (int k = 0; k < parts.size(); k++) {
            if (parts.get(k) instanceof String lit) {
                String namePart = k == 0 ? lit.substring(nameStart) : lit;
                if (namePart.indexOf('/') >= 0) {
                    throw new IllegalArgumentException("Key template '" + t + "' has a '/' after the key name "
                            + "starts: placeholders stand only in the key name, and a template names no version.");
                }
                if (!allowGlob && namePart.indexOf('*') >= 0) {
                    throw new IllegalArgumentException("Key template '" + t + "': '*' is only for kek.allowed.");
                }
            }
        }
        KekTemplate kt = new KekTemplate(t, List.copyOf(parts), List.copyOf(placeholders), nameStart);
        String sample = kt.sample();
        if (!sample.startsWith(LOCAL)) {
            KeyVaultKeyId id = KeyVaultKeyId.parse(sample); // the vault part and the literal name characters
            if (id.pinned()) {
                throw new IllegalArgumentException("Key template '" + t + "' names a version: a template names keys.");
            }
            kt.vaultPrefix = (id.vaultUrl() + "/keys/").toLowerCase(Locale.ROOT);
        } else if (!validName(sample.substring(LOCAL.length()))) {
            throw new IllegalArgumentException("Key template '" + t + "' has an invalid key name: 1-127 letters, "
                    + "digits and dashes.");
        }
        return kt;
    }

    private static Placeholder placeholder(String template, String inner) {
        String s = inner.trim();
        if (s.equals("topic")) {
            return new Placeholder(Source.TOPIC, null, "${topic}");
        }
        Source source;
        String rest;
        if (s.equals("key") || s.equals("value")) {
            return new Placeholder(s.equals("key") ? Source.KEY : Source.VALUE, null, "${" + s + "}");
        } else if (s.startsWith("key.")) {
            source = Source.KEY;
            rest = s.substring(4);
        } else if (s.startsWith("value.")) {
            source = Source.VALUE;
            rest = s.substring(6);
        } else {
            throw new IllegalArgumentException("Key template '" + template + "' has an unknown placeholder '${" + inner
                    + "}': use ${topic}, ${key}, ${value}, ${key.<path>} or ${value.<path>}.");
        }
        FieldPath path;
        try {
            path = FieldPath.parse(rest);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Key template '" + template + "': " + e.getMessage());
        }
        for (FieldPath.Segment seg : path.segments()) {
            if (seg.eachElement()) {
                throw new IllegalArgumentException("Key template '" + template + "': '${" + inner + "}' reads "
                        + "every element of an array ([*]); a key template needs one value.");
            }
        }
        return new Placeholder(source, path, "${" + s + "}");
    }

    /** The id with {@code a} in every placeholder and {@code *}: checks the vault part and literal name. */
    private String sample() {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
            b.append(p instanceof String s ? s.replace('*', 'a') : "a");
        }
        return b.toString();
    }

    public String text() {
        return text;
    }

    public boolean hasPlaceholders() {
        return !placeholders.isEmpty();
    }

    public List<Placeholder> placeholders() {
        return placeholders;
    }

    /** Whether a placeholder reads {@code source}. */
    public boolean reads(Source source) {
        return placeholders.stream().anyMatch(p -> p.source() == source);
    }

    /** Thrown by {@link #resolve} for a placeholder whose field is absent or null. */
    public static final class MissingField extends Exception {
        private final transient Placeholder placeholder;

        MissingField(Placeholder placeholder) {
            super(placeholder.text(), null, false, false);
            this.placeholder = placeholder;
        }

        public Placeholder placeholder() {
            return placeholder;
        }
    }

    /**
     * The key id for one record.
     *
     * @throws MissingField if a placeholder's field is absent or null
     * @throws KeySelectionException if a value cannot be part of a key name (its message names the
     *         template and the placeholder, never the value)
     */
    public String resolve(String topic, RecordFields key, RecordFields value) throws MissingField {
        if (placeholders.isEmpty()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 32);
        for (int k = 0; k < parts.size(); k++) {
            Object part = parts.get(k);
            if (part instanceof String s) {
                // the vault as Key Vault ids spell it (KeyVaultKeyId.versionless), so ids compare equal
                b.append(k == 0 ? vaultPrefix : "").append(k == 0 ? s.substring(nameStart) : s);
                continue;
            }
            Placeholder p = (Placeholder) part;
            Object v = switch (p.source()) {
                case TOPIC -> topic;
                case KEY -> key.at(p.path());
                case VALUE -> value.at(p.path());
            };
            if (v == null) {
                throw new MissingField(p);
            }
            String s = text(v);
            if (s == null) {
                String type = v instanceof Class<?> c ? c.getSimpleName() : v instanceof Enum<?> e
                        ? e.name().toLowerCase(Locale.ROOT) : v.getClass().getSimpleName();
                throw new KeySelectionException(where(p) + " is a " + type
                        + ", not text or a whole number, so it cannot name a key.");
            }
            String bad = badName(s);
            if (bad != null) {
                throw new KeySelectionException(where(p) + " " + bad + " (Key Vault key names are 1-" + MAX_NAME
                        + " letters, digits and dashes; a field that is itself encrypted cannot name a key).");
            }
            b.append(s);
        }
        int nameLength = b.length() - vaultPrefix.length();
        if (nameLength > MAX_NAME) {
            throw new KeySelectionException("Key template '" + text + "' gives a key name of " + nameLength
                    + " characters for this record; Key Vault allows at most " + MAX_NAME + ".");
        }
        return b.toString();
    }

    private String where(Placeholder p) {
        return "Key template '" + text + "': " + p.text();
    }

    private static String text(Object v) {
        if (v instanceof CharSequence cs) {
            return cs.toString();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger || v instanceof UUID) {
            return v.toString();
        }
        return null;
    }

    /** Why {@code s} cannot be (part of) a key name, or null if it can. */
    private static String badName(String s) {
        if (s.isEmpty()) {
            return "is empty";
        }
        if (s.length() > MAX_NAME) {
            return "is " + s.length() + " characters long";
        }
        for (int i = 0; i < s.length(); i++) {
            if (!nameChar(s.charAt(i))) {
                return "has a character other than letters, digits and dashes at position " + (i + 1);
            }
        }
        return null;
    }

    static boolean validName(String s) {
        return badName(s) == null;
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
    }

    /**
     * A pattern matching every versionless key id this template (with {@code *} as any run of name
     * characters) can produce, in lower case: the literal vault prefix, then only name characters.
     * Ids are compared lower-cased, as Key Vault names are case-insensitive.
     */
    public Pattern idPattern() {
        StringBuilder re = new StringBuilder("^");
        for (int k = 0; k < parts.size(); k++) {
            Object part = parts.get(k);
            if (part instanceof String s) {
                String lit = s.toLowerCase(Locale.ROOT);
                if (k == 0) {
                    re.append(Pattern.quote(vaultPrefix));
                    lit = lit.substring(nameStart);
                }
                int from = 0;
                for (int star = lit.indexOf('*'); star >= 0; star = lit.indexOf('*', from)) {
                    re.append(Pattern.quote(lit.substring(from, star))).append("[0-9a-z-]*");
                    from = star + 1;
                }
                if (from < lit.length()) {
                    re.append(Pattern.quote(lit.substring(from)));
                }
            } else {
                re.append("[0-9a-z-]{1,").append(MAX_NAME).append('}');
            }
        }
        return Pattern.compile(re.append('$').toString());
    }

    /** Where the key name starts in every id this template produces (the length of its vault prefix). */
    public int nameStart() {
        return nameStart;
    }

    @Override
    public String toString() {
        return text;
    }
}
