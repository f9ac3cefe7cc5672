package dev.fieldseal.scan;

/** How a {@link Located} envelope is written in the bytes it was found in. */
public enum Encoding {
    /** {@code [start, end)} is the whole JSON string token, quotes included; the envelope is its base64-decoded text. */
    JSON_STRING,
    /** {@code [start, end)} is an Avro {@code string} datum: zigzag-varint length, then the UTF-8 base64 text. */
    AVRO_STRING,
    /** {@code [start, end)} is an Avro {@code bytes} datum: zigzag-varint length, then the raw envelope. */
    AVRO_BYTES,
    /** The whole input is the base64 text of one envelope (whole-value mode). */
    TEXT,
    /** The whole input is one raw envelope. */
    RAW
}
