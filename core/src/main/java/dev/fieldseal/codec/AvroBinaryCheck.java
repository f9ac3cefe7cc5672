package dev.fieldseal.codec;

import org.apache.avro.Schema;

/**
 * Walks Avro binary data against its schema before Avro's own reader sees it, so that forged
 * lengths and counts are rejected without allocation, loops stay bounded and nesting is limited.
 * Avro's reader sizes arrays and strings from the counts it reads; once this check has passed,
 * every count is backed by real bytes.
 */
final class AvroBinaryCheck {
    private final PlaintextReader r;

    private AvroBinaryCheck(PlaintextReader r) {
        this.r = r;
    }

    /** Checks that {@code buf[off, end)} holds exactly one datum of the schema. */
    static void check(Schema schema, byte[] buf, int off, int end) {
        PlaintextReader r = new PlaintextReader(buf, off, end);
        new AvroBinaryCheck(r).skip(schema, 0);
        if (!r.atEnd()) {
            throw new CodecException("trailing bytes after Avro datum");
        }
    }

    private void skip(Schema s, int depth) {
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
            case BYTES:
                r.skip(length());
                return;
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
                skip(s.getTypes().get((int) i), depth + 1);
                return;
            }
            case RECORD:
                for (Schema.Field f : s.getFields()) {
                    skip(f.schema(), depth + 1);
                }
                return;
            case ARRAY:
            case MAP: {
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
                        skip(item, depth + 1);
                    }
                }
            }
            default:
                throw new CodecException("unsupported Avro type " + s.getType());
        }
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
