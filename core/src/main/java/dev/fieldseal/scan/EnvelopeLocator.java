package dev.fieldseal.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldseal.codec.AvroBinaryWalk;
import dev.fieldseal.codec.CodecException;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.format.EnvelopeLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Finds fieldseal envelopes inside key or value bytes without decrypting them, with their exact
 * byte ranges: what {@code inspect} counts and what re-keying splices a new envelope into, leaving
 * every other byte as it was. Nothing is validated beyond the magic prefix.
 */
public final class EnvelopeLocator {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] TEXT_PREFIX = EnvelopeLayout.TEXT_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private EnvelopeLocator() {
    }

    /**
     * Every string value in a JSON document (any depth, arrays included, a top-level string too)
     * whose text starts with {@link EnvelopeLayout#TEXT_PREFIX}, in document order.
     *
     * @throws IOException if the bytes are not one JSON document
     */
    public static List<Located> json(byte[] json) throws IOException {
        List<Located> found = new ArrayList<>(4);
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("empty JSON document");
            }
            jsonValue(p, t, "", found);
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON document");
            }
        }
        return found;
    }

    private static void jsonValue(JsonParser p, JsonToken t, String path, List<Located> found) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                jsonValue(p, v, FieldPath.append(path, name, v == JsonToken.START_ARRAY), found);
            }
        } else if (t == JsonToken.START_ARRAY) {
            // path already names the elements (name[*]); a nested array's elements keep it
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                jsonValue(p, e, path, found);
            }
        } else if (t == JsonToken.VALUE_STRING) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            String text = p.getText();
            int end = (int) p.currentLocation().getByteOffset();
            if (EnvelopeLayout.hasTextMagic(text)) {
                found.add(new Located(path, start, end, base64(text), Encoding.JSON_STRING));
            }
        }
    }

    /**
     * Every {@code string} datum whose text starts with the text prefix and every {@code bytes}
     * datum that starts with the magic, in Avro binary data {@code [offset, data.length)} written
     * with {@code schema}, in data order. The walk follows the schema (records, unions, arrays,
     * maps, nested records) and checks every length and count against the bytes left before it
     * allocates anything. A {@code bytes} datum with a {@code decimal} logical type is a number,
     * never an envelope, and is not reported.
     *
     * <p>Splicing keeps the data valid, with one exception: an array or map block written with its
     * byte size (a negative count, written by Avro's blocking encoder only; the direct encoder that
     * serializers use never does) keeps its old size when a replacement changes a length inside it.
     * Avro's readers ignore that size; only a reader that skips the whole block uses it.
     *
     * @throws IllegalArgumentException if the data does not hold exactly one datum of the schema
     */
    public static List<Located> avro(Schema schema, byte[] data, int offset) {
        List<Located> found = new ArrayList<>(4);
        try {
            AvroBinaryWalk.walk(schema, data, offset, data.length, (s, path, start, dataStart, end) -> {
                int n = end - dataStart;
                if (s.getType() == Schema.Type.STRING) {
                    if (n >= AVRO_TEXT_PREFIX.length && startsWith(data, dataStart, AVRO_TEXT_PREFIX)) {
                        byte[] envelope;
                        try {
                            envelope = Base64.getDecoder().decode(Arrays.copyOfRange(data, dataStart, end));
                        } catch (IllegalArgumentException e) {
                            envelope = null; // located, and reported malformed
                        }
                        found.add(new Located(path, start, end, envelope, Encoding.AVRO_STRING));
                    }
                } else if (!(s.getLogicalType() instanceof LogicalTypes.Decimal) && n >= EnvelopeLayout.MAGIC.length
                        && startsWith(data, dataStart, EnvelopeLayout.MAGIC)) {
                    found.add(new Located(path, start, end, Arrays.copyOfRange(data, dataStart, end), Encoding.AVRO_BYTES));
                }
            });
        } catch (CodecException e) {
            throw new IllegalArgumentException("Avro data does not match its schema: " + e.getMessage() + ".");
        }
        return found;
    }

    private static final byte[] AVRO_TEXT_PREFIX = EnvelopeLayout.TEXT_PREFIX.getBytes(StandardCharsets.US_ASCII);

    /**
     * The envelopes of a key or value whose format is not known: the whole of it as one envelope,
     * else every envelope in it if it looks like JSON, else none. The forms a sealed record key
     * takes (whole-value or JSON keys), and what {@code inspect --key-format auto} reads.
     *
     * @throws IOException if it looks like JSON but is not
     */
    public static List<Located> auto(byte[] value) throws IOException {
        if (value == null) {
            return List.of();
        }
        Located whole = whole(value);
        return whole != null ? List.of(whole) : looksLikeJson(value) ? json(value) : List.of();
    }

    /** Whether the first byte that is not white space opens a JSON object, array or string. */
    public static boolean looksLikeJson(byte[] d) {
        for (byte b : d) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{' || b == '[' || b == '"';
        }
        return false;
    }

    /**
     * The whole value as one envelope: {@link Encoding#TEXT} if it is text starting with the text
     * prefix, {@link Encoding#RAW} if it starts with the magic, else null.
     */
    public static Located whole(byte[] value) {
        if (value == null) {
            return null;
        }
        if (startsWith(value, 0, TEXT_PREFIX)) {
            return new Located("", 0, value.length, base64(new String(value, StandardCharsets.US_ASCII)), Encoding.TEXT);
        }
        if (EnvelopeLayout.hasMagic(value)) {
            return new Located("", 0, value.length, value.clone(), Encoding.RAW);
        }
        return null;
    }

    /**
     * The input with the envelopes at {@code found} (in input order, as the locators return them)
     * replaced by {@code newEnvelopes} (same order; a null entry keeps that one). Every other byte is
     * copied as it was.
     *
     * @throws IllegalArgumentException if the lists differ in length, or ranges overlap or are out of order
     */
    public static byte[] splice(byte[] input, List<Located> found, List<byte[]> newEnvelopes) {
        if (found.size() != newEnvelopes.size()) {
            throw new IllegalArgumentException("one new envelope (or null) per located envelope");
        }
        List<byte[]> parts = new ArrayList<>(found.size());
        int length = input.length;
        int last = 0;
        for (int i = 0; i < found.size(); i++) {
            Located l = found.get(i);
            if (l.start() < last || l.end() > input.length || l.end() < l.start()) {
                throw new IllegalArgumentException("located ranges out of order or outside the input");
            }
            last = l.end();
            byte[] r = newEnvelopes.get(i) == null ? null : l.replacement(newEnvelopes.get(i));
            parts.add(r);
            if (r != null) {
                length += r.length - (l.end() - l.start());
            }
        }
        byte[] out = new byte[length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < found.size(); i++) {
            byte[] r = parts.get(i);
            if (r == null) {
                continue;
            }
            Located l = found.get(i);
            System.arraycopy(input, from, out, to, l.start() - from);
            to += l.start() - from;
            System.arraycopy(r, 0, out, to, r.length);
            to += r.length;
            from = l.end();
        }
        System.arraycopy(input, from, out, to, input.length - from);
        return out;
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean startsWith(byte[] b, int off, byte[] prefix) {
        return b.length - off >= prefix.length && Arrays.equals(b, off, off + prefix.length, prefix, 0, prefix.length);
    }
}
