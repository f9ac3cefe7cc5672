package dev.fieldseal.scan;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * One envelope found in a key or value: bytes {@code [start, end)} of the input hold it, written
 * as {@link #encoding()} says. {@code envelope} is the raw envelope (base64-decoded for the text
 * encodings), checked for nothing beyond its magic prefix; parse it with
 * {@link dev.fieldseal.format.EnvelopeLayout#parse}. It is {@code null} when the text starts like an
 * envelope but is not valid base64: such a value is still reported, so that it counts as malformed.
 *
 * <p>{@code path} is the canonical {@link dev.fieldseal.field.FieldPath} text where the value was
 * found: members and record fields by name, elements of arrays and values of maps as
 * {@code name[*]}; {@code ""} for a top-level value (and for the elements of a top-level array).
 * An element of an array nested directly in an array keeps its array's path (a field path has no
 * spelling for it, and no writer seals there).
 */
public record Located(String path, int start, int end, byte[] envelope, Encoding encoding) {

    /** Whether the text could not be base64-decoded ({@link #envelope()} is null). */
    public boolean undecodable() {
        return envelope == null;
    }

    /** The bytes that replace [start, end) of the input so that it holds newEnvelope instead, in the same encoding. */
    public byte[] replacement(byte[] newEnvelope) {
        switch (encoding) {
            case RAW:
                return newEnvelope.clone();
            case TEXT:
                return Base64.getEncoder().encode(newEnvelope);
            case JSON_STRING: {
                // base64 text holds no character JSON needs escaped
                byte[] text = Base64.getEncoder().encode(newEnvelope);
                byte[] out = new byte[text.length + 2];
                out[0] = '"';
                System.arraycopy(text, 0, out, 1, text.length);
                out[out.length - 1] = '"';
                return out;
            }
            case AVRO_STRING:
                return avroLengthPrefixed(Base64.getEncoder().encode(newEnvelope));
            case AVRO_BYTES:
                return avroLengthPrefixed(newEnvelope);
            default:
                throw new IllegalStateException(encoding.name());
        }
    }

    private static byte[] avroLengthPrefixed(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 5);
        long z = (long) b.length << 1; // zigzag of a non-negative length
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        out.write(b, 0, b.length);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        // never the envelope bytes: records are attacker input and logs must stay clean
        return "Located[" + path + " " + encoding + " " + start + ".." + end + (envelope == null ? " undecodable" : "") + "]";
    }
}
