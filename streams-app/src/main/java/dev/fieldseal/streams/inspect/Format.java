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
    STRING,
    /** Avro in the Confluent wire format: the writer schema by the value's id, from the Schema Registry. */
    AVRO_CONFLUENT,
    /** JSON text in the Confluent wire format (after the 5-byte header; the schema is not needed). */
    JSON_CONFLUENT;

    static Format parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format '" + s + "': use auto, json, avro, string, avro-confluent or "
                    + "json-confluent");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
