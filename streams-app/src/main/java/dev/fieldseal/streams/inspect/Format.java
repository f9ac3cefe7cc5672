package dev.fieldseal.streams.inspect;

import java.util.Locale;

/** How record keys or values are read by {@code inspect}. */
enum Format {
    /** Avro if a schema is given; else a whole-value envelope, JSON if it parses as JSON, or opaque bytes. */
    AUTO,
    /** JSON text; a value that does not parse is counted as unreadable. */
    JSON,
    /** Avro binary with the given schema, plain or single-object encoded (C3 01 + fingerprint). */
    AVRO,
    /** The whole value is one envelope (base64 text or raw), or plaintext. */
    STRING;

    static Format parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format '" + s + "': use auto, json, avro or string");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
