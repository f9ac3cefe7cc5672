package dev.fieldseal.codec;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Encodes a Connect value with its schema into plaintext bytes and back. Layout: see
 * {@code docs/value-codec.md}, section "CONNECT family". Thread-safe; share one instance.
 */
public final class ConnectValueCodec {
    static final int MAX_DEPTH = 64;
    /** How many zero-byte items (structs without fields) one array or map may hold. */
    static final int MAX_ZERO_SIZE_ITEMS = 4096;


    // Tags of the self-describing (schemaless) value encoding.
    static final int V_NULL = 0, V_FALSE = 1, V_TRUE = 2, V_INT8 = 3, V_INT16 = 4, V_INT32 = 5, V_INT64 = 6,
            V_FLOAT32 = 7, V_FLOAT64 = 8, V_STRING = 9, V_BYTES = 10, V_DECIMAL = 11, V_DATE = 12,
            V_LIST = 13, V_MAP = 14, V_STRUCT = 15;

    private static final byte[] SCHEMALESS = new byte[0];

    private final ConnectDescriptors descriptors = new ConnectDescriptors(this);

    // ---------------------------------------------------------------- public API

    public byte[] encode(Schema schema, Object value) {
        byte[] d = schema == null ? SCHEMALESS : descriptors.of(schema);
        PlaintextWriter w = PlaintextWriter.local();
        try {
            w.writeByte(ValueFamily.CONNECT.code());
            w.writeUVarint(d.length);
            w.writeBytes(d, 0, d.length);
            if (schema == null) {
                writeTagged(w, value, 0);
            } else {
                writeValue(w, schema, value, 0);
            }
            return w.finish();
        } catch (CodecException e) {
            w.release();
            throw e;
        } catch (DataException | ClassCastException | ArithmeticException e) {
            w.release();
            throw new CodecException("value does not match its schema (" + e.getClass().getSimpleName() + ")");
        }
    }

    public SchemaAndValue decode(byte[] plaintext) {
        if (ValueFamily.of(plaintext) != ValueFamily.CONNECT) {
            throw new CodecException("not a CONNECT plaintext: " + ValueFamily.of(plaintext));
        }
        PlaintextReader r = new PlaintextReader(plaintext, 1, plaintext.length);
        try {
            int dlen = r.readLength();
            Schema schema = null;
            if (dlen > 0) {
                schema = descriptors.parse(plaintext, r.position(), dlen);
            }
            r.skip(dlen);
            Object value = schema == null ? readTagged(r, 0) : readValue(r, schema, 0);
            if (!r.atEnd()) {
                throw new CodecException("trailing bytes after value");
            }
            return new SchemaAndValue(schema, value);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("malformed CONNECT plaintext (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The compact binary descriptor of a schema; equal schemas give identical bytes. */
    public byte[] descriptor(Schema schema) {
        if (schema == null) {
            throw new CodecException("no schema");
        }
        return descriptors.of(schema).clone();
    }

    /** The schema a descriptor stands for; {@code equals} the schema it was made from. */
    public Schema schema(byte[] descriptor) {
        if (descriptor == null || descriptor.length == 0) {
            throw new CodecException("empty schema descriptor");
        }
        try {
            return descriptors.parse(descriptor, 0, descriptor.length);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("malformed schema descriptor (" + e.getClass().getSimpleName() + ")");
        }
    }

    // ---------------------------------------------------------------- schema-driven values

    private void writeValue(PlaintextWriter w, Schema s, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        if (hasPresenceByte(s)) {
            if (v == null) {
                w.writeByte(0);
                return;
            }
            w.writeByte(1);
        } else if (v == null) {
            throw new CodecException("null value for required schema " + describe(s));
        }
        writeNonNull(w, s, v, depth);
    }

    private void writeNonNull(PlaintextWriter w, Schema s, Object v, int depth) {
        String name = s.name();
        switch (s.type()) {
            case INT8:
                w.writeByte(((Byte) expect(s, v, Byte.class)).byteValue());
                return;
            case INT16:
                w.writeSVarint(((Short) expect(s, v, Short.class)).shortValue());
                return;
            case INT32:
                if (name != null) {
                    if (Date.LOGICAL_NAME.equals(name)) {
                        w.writeSVarint(Date.fromLogical(s, (java.util.Date) expect(s, v, java.util.Date.class)));
                        return;
                    }
                    if (Time.LOGICAL_NAME.equals(name)) {
                        w.writeSVarint(Time.fromLogical(s, (java.util.Date) expect(s, v, java.util.Date.class)));
                        return;
                    }
                }
                w.writeSVarint(((Integer) expect(s, v, Integer.class)).intValue());
                return;
            case INT64:
                if (Timestamp.LOGICAL_NAME.equals(name)) {
                    w.writeSVarint(((java.util.Date) expect(s, v, java.util.Date.class)).getTime());
                    return;
                }
                w.writeSVarint(((Long) expect(s, v, Long.class)).longValue());
                return;
            case FLOAT32:
                w.writeFloat(((Float) expect(s, v, Float.class)).floatValue());
                return;
            case FLOAT64:
                w.writeDouble(((Double) expect(s, v, Double.class)).doubleValue());
                return;
            case BOOLEAN:
                w.writeByte(((Boolean) expect(s, v, Boolean.class)) ? 1 : 0);
                return;
            case STRING:
                w.writeString((String) expect(s, v, String.class));
                return;
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name)) {
                    BigDecimal d = (BigDecimal) expect(s, v, BigDecimal.class);
                    if (d.scale() != ConnectDescriptors.decimalScale(s)) {
                        throw new CodecException("Decimal value scale differs from its schema's scale");
                    }
                    w.writeBigInteger(d.unscaledValue());
                    return;
                }
                writeBytesValue(w, s, v);
                return;
            case ARRAY: {
                List<?> list = (List<?>) expect(s, v, List.class);
                checkZeroSizeCount(s.valueSchema(), null, list.size());
                w.writeUVarint(list.size());
                Schema vs = s.valueSchema();
                for (Object o : list) {
                    writeValue(w, vs, o, depth + 1);
                }
                return;
            }
            case MAP: {
                Map<?, ?> map = (Map<?, ?>) expect(s, v, Map.class);
                checkZeroSizeCount(s.keySchema(), s.valueSchema(), map.size());
                w.writeUVarint(map.size());
                Schema ks = s.keySchema();
                Schema vs = s.valueSchema();
                int n = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    writeValue(w, ks, e.getKey(), depth + 1);
                    writeValue(w, vs, e.getValue(), depth + 1);
                    n++;
                }
                if (n != map.size()) {
                    throw new CodecException("map changed while encoding");
                }
                return;
            }
            case STRUCT: {
                Struct struct = (Struct) expect(s, v, Struct.class);
                if (struct.schema() != s && !struct.schema().equals(s)) {
                    throw new CodecException("Struct schema differs from the field's schema " + describe(s));
                }
                for (Field f : s.fields()) {
                    try {
                        writeValue(w, f.schema(), struct.getWithoutDefault(f.name()), depth + 1);
                    } catch (CodecException e) {
                        throw inField(f.name(), e);
                    }
                }
                return;
            }
            default:
                throw new CodecException("unsupported schema type " + s.type());
        }
    }

    private static void writeBytesValue(PlaintextWriter w, Schema s, Object v) {
        if (v instanceof byte[]) {
            w.writeLenBytes((byte[]) v);
        } else if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            w.writeUVarint(b.remaining());
            if (b.hasArray()) {
                w.writeBytes(b.array(), b.arrayOffset() + b.position(), b.remaining());
            } else {
                byte[] tmp = new byte[b.remaining()];
                b.get(tmp);
                w.writeBytes(tmp, 0, tmp.length);
            }
        } else {
            throw mismatch(s, v);
        }
    }

    private static void checkZeroSizeCount(Schema a, Schema b, int count) {
        if (count > MAX_ZERO_SIZE_ITEMS && zeroSize(a) && (b == null || zeroSize(b))) {
            throw new CodecException("more than " + MAX_ZERO_SIZE_ITEMS + " items that encode to no bytes");
        }
    }

    /** Whether every value of the schema encodes to zero bytes (a required struct of such fields). */
    static boolean zeroSize(Schema s) {
        if (hasPresenceByte(s) || s.type() != Schema.Type.STRUCT) {
            return false;
        }
        for (Field f : s.fields()) {
            if (!zeroSize(f.schema())) {
                return false;
            }
        }
        return true;
    }

    private Object readValue(PlaintextReader r, Schema s, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        if (hasPresenceByte(s)) {
            int present = r.readByte();
            if (present == 0) {
                return null;
            }
            if (present != 1) {
                throw new CodecException("malformed presence byte");
            }
        }
        return readNonNull(r, s, depth);
    }

    /**
     * Optional schemas and schemas with a default can meet a null (Connect substitutes the default
     * only when reading), so their values carry a presence byte and a null comes back as null.
     */
    private static boolean hasPresenceByte(Schema s) {
        return s.isOptional() || s.defaultValue() != null;
    }

    private Object readNonNull(PlaintextReader r, Schema s, int depth) {
        String name = s.name();
        switch (s.type()) {
            case INT8:
                return (byte) r.readByte();
            case INT16: {
                long v = r.readSVarint();
                if (v != (short) v) throw new CodecException("INT16 value out of range");
                return (short) v;
            }
            case INT32: {
                int v = r.readSVarint32();
                if (Date.LOGICAL_NAME.equals(name)) return Date.toLogical(s, v);
                if (Time.LOGICAL_NAME.equals(name)) return Time.toLogical(s, v);
                return v;
            }
            case INT64: {
                long v = r.readSVarint();
                if (Timestamp.LOGICAL_NAME.equals(name)) return Timestamp.toLogical(s, v);
                return v;
            }
            case FLOAT32:
                return r.readFloat();
            case FLOAT64:
                return r.readDouble();
            case BOOLEAN: {
                int b = r.readByte();
                if (b > 1) throw new CodecException("malformed BOOLEAN byte");
                return b == 1;
            }
            case STRING:
                return r.readString();
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name)) {
                    return new BigDecimal(r.readBigInteger(), ConnectDescriptors.decimalScale(s));
                }
                return r.readLenBytes();
            case ARRAY: {
                Schema vs = s.valueSchema();
                int n = r.readCount(zeroSize(vs), MAX_ZERO_SIZE_ITEMS);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readValue(r, vs, depth + 1));
                }
                return list;
            }
            case MAP: {
                Schema ks = s.keySchema();
                Schema vs = s.valueSchema();
                int n = r.readCount(zeroSize(ks) && zeroSize(vs), MAX_ZERO_SIZE_ITEMS);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = readValue(r, ks, depth + 1);
                    map.put(k, readValue(r, vs, depth + 1));
                }
                return map;
            }
            case STRUCT: {
                if (depth > MAX_DEPTH) {
                    throw new CodecException("value nested deeper than " + MAX_DEPTH);
                }
                Struct struct = new Struct(s);
                for (Field f : s.fields()) {
                    Object v = readValue(r, f.schema(), depth + 1);
                    if (v != null) {
                        struct.put(f, v);
                    }
                }
                return struct;
            }
            default:
                throw new CodecException("unsupported schema type " + s.type());
        }
    }

    // ---------------------------------------------------------------- self-describing values

    /** The self-describing form of a schemaless value (and of a schema's default value). */
    void writeTagged(PlaintextWriter w, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        if (v == null) {
            w.writeByte(V_NULL);
        } else if (v instanceof String) {
            w.writeByte(V_STRING);
            w.writeString((String) v);
        } else if (v instanceof Long) {
            w.writeByte(V_INT64);
            w.writeSVarint((Long) v);
        } else if (v instanceof Integer) {
            w.writeByte(V_INT32);
            w.writeSVarint((Integer) v);
        } else if (v instanceof Boolean) {
            w.writeByte((Boolean) v ? V_TRUE : V_FALSE);
        } else if (v instanceof Double) {
            w.writeByte(V_FLOAT64);
            w.writeDouble((Double) v);
        } else if (v instanceof Float) {
            w.writeByte(V_FLOAT32);
            w.writeFloat((Float) v);
        } else if (v instanceof Short) {
            w.writeByte(V_INT16);
            w.writeSVarint((Short) v);
        } else if (v instanceof Byte) {
            w.writeByte(V_INT8);
            w.writeByte((Byte) v);
        } else if (v instanceof byte[] || v instanceof ByteBuffer) {
            w.writeByte(V_BYTES);
            writeBytesValue(w, null, v);
        } else if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            w.writeByte(V_DECIMAL);
            w.writeSVarint(d.scale());
            w.writeBigInteger(d.unscaledValue());
        } else if (v instanceof java.util.Date) {
            w.writeByte(V_DATE);
            w.writeSVarint(((java.util.Date) v).getTime());
        } else if (v instanceof List) {
            List<?> list = (List<?>) v;
            w.writeByte(V_LIST);
            w.writeUVarint(list.size());
            for (Object o : list) {
                writeTagged(w, o, depth + 1);
            }
        } else if (v instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) v;
            w.writeByte(V_MAP);
            w.writeUVarint(map.size());
            int n = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                writeTagged(w, e.getKey(), depth + 1);
                writeTagged(w, e.getValue(), depth + 1);
                n++;
            }
            if (n != map.size()) {
                throw new CodecException("map changed while encoding");
            }
        } else if (v instanceof Struct) {
            Struct struct = (Struct) v;
            byte[] d = descriptors.of(struct.schema());
            w.writeByte(V_STRUCT);
            w.writeLenBytes(d);
            writeNonNull(w, struct.schema(), struct, depth + 1);
        } else {
            throw new CodecException("unsupported schemaless value type " + v.getClass().getName());
        }
    }

    Object readTagged(PlaintextReader r, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CodecException("value nested deeper than " + MAX_DEPTH);
        }
        int tag = r.readByte();
        switch (tag) {
            case V_NULL: return null;
            case V_FALSE: return Boolean.FALSE;
            case V_TRUE: return Boolean.TRUE;
            case V_INT8: return (byte) r.readByte();
            case V_INT16: {
                long v = r.readSVarint();
                if (v != (short) v) throw new CodecException("INT16 value out of range");
                return (short) v;
            }
            case V_INT32: return r.readSVarint32();
            case V_INT64: return r.readSVarint();
            case V_FLOAT32: return r.readFloat();
            case V_FLOAT64: return r.readDouble();
            case V_STRING: return r.readString();
            case V_BYTES: return r.readLenBytes();
            case V_DECIMAL: {
                int scale = r.readSVarint32();
                return new BigDecimal(r.readBigInteger(), scale);
            }
            case V_DATE: return new java.util.Date(r.readSVarint());
            case V_LIST: {
                int n = r.readLength();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readTagged(r, depth + 1));
                }
                return list;
            }
            case V_MAP: {
                int n = r.readLength();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = readTagged(r, depth + 1);
                    map.put(k, readTagged(r, depth + 1));
                }
                return map;
            }
            case V_STRUCT: {
                int dlen = r.readLength();
                if (dlen == 0) throw new CodecException("empty struct descriptor");
                Schema s = descriptors.parse(r.buf, r.position(), dlen);
                r.skip(dlen);
                if (s.type() != Schema.Type.STRUCT) throw new CodecException("struct tag with a non-struct schema");
                return readNonNull(r, s, depth + 1);
            }
            default:
                throw new CodecException("unknown value tag " + tag);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Object expect(Schema s, Object v, Class<?> type) {
        if (!type.isInstance(v)) {
            throw mismatch(s, v);
        }
        return v;
    }

    private static CodecException mismatch(Schema s, Object v) {
        return new CodecException("value of class " + v.getClass().getName() + " does not fit schema "
                + (s == null ? "BYTES" : describe(s)));
    }

    static String describe(Schema s) {
        return s.name() == null ? s.type().toString() : s.type() + " (" + s.name() + ")";
    }

    private static CodecException inField(String field, CodecException e) {
        String msg = e.getMessage();
        String prefix = "at field ";
        String rest = msg.startsWith(prefix) ? field + "." + msg.substring(prefix.length()) : field + ": " + msg;
        return new CodecException(prefix + rest);
    }
}
