package dev.fieldseal.scan;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.format.EnvelopeLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * One schema-driven pass over Avro binary data, collecting envelopes. Bounded like the codec's
 * Avro check: every length and count is checked against the bytes left before it is used, items
 * that encode to no bytes are capped, nesting is limited. Messages never quote data.
 */
final class AvroWalk {
    static final int MAX_DEPTH = 64;
    static final int MAX_ZERO_SIZE_ITEMS = 4096;
    private static final byte[] TEXT_PREFIX = EnvelopeLayout.TEXT_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private final byte[] b;
    int pos;
    final List<Located> found = new ArrayList<>(4);

    AvroWalk(byte[] b, int offset) {
        if (offset < 0 || offset > b.length) {
            throw new IllegalArgumentException("Avro offset outside the data");
        }
        this.b = b;
        this.pos = offset;
    }

    void datum(Schema s, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw bad("nested deeper than " + MAX_DEPTH);
        }
        switch (s.getType()) {
            case NULL:
                return;
            case BOOLEAN:
                if (u8() > 1) throw bad("malformed boolean");
                return;
            case INT: {
                long v = svarint();
                if (v != (int) v) throw bad("int out of range");
                return;
            }
            case LONG:
                svarint();
                return;
            case FLOAT:
                skip(4);
                return;
            case DOUBLE:
                skip(8);
                return;
            case FIXED:
                skip(s.getFixedSize());
                return;
            case ENUM: {
                long i = svarint();
                if (i < 0 || i >= s.getEnumSymbols().size()) throw bad("enum index out of range");
                return;
            }
            case STRING:
            case BYTES:
                stringOrBytes(s, path);
                return;
            case UNION: {
                long i = svarint();
                if (i < 0 || i >= s.getTypes().size()) throw bad("union index out of range");
                datum(s.getTypes().get((int) i), path, depth + 1);
                return;
            }
            case RECORD:
                for (Schema.Field f : s.getFields()) {
                    datum(f.schema(), FieldPath.append(path, f.name(), eachElement(f.schema())), depth + 1);
                }
                return;
            case ARRAY:
            case MAP:
                items(s, path, depth);
                return;
            default:
                throw bad("unsupported type " + s.getType());
        }
    }

    /** Whether a field of this schema has elements ({@code name[*]}): an array or map, perhaps in a union. */
    private static boolean eachElement(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            for (Schema t : s.getTypes()) {
                if (t.getType() == Schema.Type.ARRAY || t.getType() == Schema.Type.MAP) {
                    return true;
                }
            }
            return false;
        }
        return s.getType() == Schema.Type.ARRAY || s.getType() == Schema.Type.MAP;
    }

    private void items(Schema s, String path, int depth) {
        boolean map = s.getType() == Schema.Type.MAP;
        Schema item = map ? s.getValueType() : s.getElementType();
        // path names the elements already (name[*]), except for a top-level array or map
        boolean zero = !map && zeroSize(item, 0);
        long total = 0;
        while (true) {
            long n = svarint();
            if (n == 0) {
                return;
            }
            if (n < 0) {
                n = -n;
                length(); // the block's size in bytes
            }
            total += n;
            if (n < 0 || (zero ? total > MAX_ZERO_SIZE_ITEMS : n > b.length - pos)) {
                throw bad("item count exceeds the bytes left");
            }
            for (long i = 0; i < n; i++) {
                if (map) {
                    skip(length());
                }
                datum(item, path, depth + 1);
            }
        }
    }

    private void stringOrBytes(Schema s, String path) {
        int start = pos;
        int n = length();
        int dataStart = pos;
        skip(n);
        if (s.getType() == Schema.Type.STRING) {
            if (n >= TEXT_PREFIX.length && EnvelopeLocator.startsWith(b, dataStart, TEXT_PREFIX)) {
                byte[] envelope;
                try {
                    envelope = Base64.getDecoder().decode(Arrays.copyOfRange(b, dataStart, pos));
                } catch (IllegalArgumentException e) {
                    envelope = null;
                }
                found.add(new Located(path, start, pos, envelope, Encoding.AVRO_STRING));
            }
        } else if (!(s.getLogicalType() instanceof LogicalTypes.Decimal) && n >= EnvelopeLayout.MAGIC.length
                && EnvelopeLocator.startsWith(b, dataStart, EnvelopeLayout.MAGIC)) {
            found.add(new Located(path, start, pos, Arrays.copyOfRange(b, dataStart, pos), Encoding.AVRO_BYTES));
        }
    }

    /** Whether every datum of the schema encodes to zero bytes. */
    private static boolean zeroSize(Schema s, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        switch (s.getType()) {
            case NULL:
                return true;
            case FIXED:
                return s.getFixedSize() == 0;
            case RECORD:
                for (Schema.Field f : s.getFields()) {
                    if (!zeroSize(f.schema(), depth + 1)) return false;
                }
                return true;
            default:
                return false;
        }
    }

    private int u8() {
        if (pos >= b.length) {
            throw bad("truncated");
        }
        return b[pos++] & 0xFF;
    }

    private long svarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = u8();
            if (shift == 63 && (x & 0xFE) != 0) {
                break;
            }
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return (v >>> 1) ^ -(v & 1);
            }
        }
        throw bad("malformed varint");
    }

    private int length() {
        long n = svarint();
        if (n < 0 || n > b.length - pos) {
            throw bad("length exceeds the bytes left");
        }
        return (int) n;
    }

    private void skip(int n) {
        if (n < 0 || n > b.length - pos) {
            throw bad("truncated");
        }
        pos += n;
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("Avro data does not match its schema: " + what + ".");
    }
}
