package dev.fieldseal.codec;

import dev.fieldseal.field.FieldPath;
import org.apache.avro.Schema;

/**
 * One bounded, schema-driven pass over Avro binary data: every length and count is checked
 * against the bytes left before it is used, items that encode to no bytes are capped, nesting is
 * limited, and messages never quote data. The codec runs it before Avro's own reader sees a
 * plaintext (Avro sizes arrays and strings from the counts it reads; after this pass every count
 * is backed by real bytes); {@code scan} runs it with a {@link Visitor} to find envelopes in
 * record bytes.
 */
public final class AvroBinaryWalk {

    /** Sees every string and bytes value with the canonical path it sits at. */
    public interface Visitor {
        /**
         * @param start where the value's length prefix starts
         * @param dataStart where its bytes start
         * @param end one past its last byte
         */
        void value(Schema schema, String path, int start, int dataStart, int end);
    }

    private final PlaintextReader r;
    private final Visitor visitor;

    private AvroBinaryWalk(PlaintextReader r, Visitor visitor) {
        this.r = r;
        this.visitor = visitor;
    }

    /**
     * Checks that {@code buf[off, end)} holds exactly one datum of the schema, showing its strings
     * and bytes to {@code visitor} (null: none; paths are then not built).
     *
     * @throws CodecException if it does not
     */
    public static void walk(Schema schema, byte[] buf, int off, int end, Visitor visitor) {
        if (off < 0 || off > end || end > buf.length) {
            throw new CodecException("Avro offset outside the data");
        }
        PlaintextReader r = new PlaintextReader(buf, off, end);
        new AvroBinaryWalk(r, visitor).datum(schema, visitor == null ? null : "", 0);
        if (!r.atEnd()) {
            throw new CodecException("trailing bytes after Avro datum");
        }
    }

    private void datum(Schema s, String path, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("Avro value nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        switch (s.getType()) {
            case NULL:
                return;
            case BOOLEAN:
                if (r.readByte() > 1) throw new CodecException("malformed Avro boolean");
                return;
            case INT: {
                long v = r.readSVarint();
                if (v != (int) v) throw new CodecException("Avro int out of range");
                return;
            }
            case LONG:
                r.readSVarint();
                return;
            case FLOAT:
                r.skip(4);
                return;
            case DOUBLE:
                r.skip(8);
                return;
            case STRING:
            case BYTES: {
                int start = r.position();
                int n = length();
                int dataStart = r.position();
                r.skip(n);
                if (visitor != null) {
                    visitor.value(s, path, start, dataStart, r.position());
                }
                return;
            }
            case FIXED:
                r.skip(s.getFixedSize());
                return;
            case ENUM: {
                long i = r.readSVarint();
                if (i < 0 || i >= s.getEnumSymbols().size()) throw new CodecException("Avro enum index out of range");
                return;
            }
            case UNION: {
                long i = r.readSVarint();
                if (i < 0 || i >= s.getTypes().size()) throw new CodecException("Avro union index out of range");
                datum(s.getTypes().get((int) i), path, depth + 1);
                return;
            }
            case RECORD:
                for (Schema.Field f : s.getFields()) {
                    datum(f.schema(), path == null ? null : FieldPath.append(path, f.name(), eachElement(f.schema())),
                            depth + 1);
                }
                return;
            case ARRAY:
            case MAP:
                items(s, path, depth);
                return;
            default:
                throw new CodecException("unsupported Avro type " + s.getType());
        }
    }

    /** Items keep their container's path, which names them already ({@code name[*]}). */
    private void items(Schema s, String path, int depth) {
        boolean map = s.getType() == Schema.Type.MAP;
        Schema item = map ? s.getValueType() : s.getElementType();
        boolean zero = !map && zeroSize(item, 0);
        long total = 0;
        while (true) {
            long n = r.readSVarint();
            if (n == 0) {
                return;
            }
            if (n < 0) {
                n = -n;
                length(); // block size in bytes, informational
            }
            total += n;
            if (n < 0 || (zero ? total > ConnectValueCodec.MAX_ZERO_SIZE_ITEMS : n > r.remaining())) {
                throw new CodecException("Avro item count exceeds the remaining plaintext");
            }
            for (long i = 0; i < n; i++) {
                if (map) {
                    r.skip(length());
                }
                datum(item, path, depth + 1);
            }
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

    private int length() {
        long n = r.readSVarint();
        if (n < 0 || n > r.remaining()) {
            throw new CodecException("Avro length exceeds the remaining plaintext");
        }
        return (int) n;
    }

    /** Whether every datum of the schema encodes to zero bytes. */
    static boolean zeroSize(Schema s, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
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
}
