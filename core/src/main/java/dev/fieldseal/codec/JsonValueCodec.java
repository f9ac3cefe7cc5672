package dev.fieldseal.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Encodes a Jackson tree as a tagged binary form that keeps each node's exact type (int, long,
 * BigInteger, float, double, decimal, text, binary). Layout: see {@code docs/value-codec.md},
 * section "JSON family". Decoding also accepts CONNECT and AVRO plaintexts and renders their
 * value as JSON.
 */
public final class JsonValueCodec {
    static final int J_NULL = 0, J_FALSE = 1, J_TRUE = 2, J_INT = 3, J_LONG = 4, J_BIGINT = 5, J_FLOAT = 6,
            J_DOUBLE = 7, J_DECIMAL = 8, J_TEXT = 9, J_BINARY = 10, J_ARRAY = 11, J_OBJECT = 12, J_SHORT = 13;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ConnectValueCodec connect;
    private final AvroValueCodec avro;

    public JsonValueCodec() {
        this(new ConnectValueCodec(), new AvroValueCodec());
    }

    /** Shares the other codecs' caches when decoding their plaintexts. */
    public JsonValueCodec(ConnectValueCodec connect, AvroValueCodec avro) {
        this.connect = connect;
        this.avro = avro;
    }

    public byte[] encode(JsonNode node) {
        PlaintextWriter w = PlaintextWriter.local();
        try {
            w.writeByte(ValueFamily.JSON.code());
            w.writeUVarint(0);
            write(w, node, 0);
            return w.finish();
        } catch (RuntimeException e) {
            w.release();
            throw e instanceof CodecException ? e
                    : new CodecException("cannot encode JSON node (" + e.getClass().getSimpleName() + ")");
        }
    }

    public JsonNode decode(byte[] plaintext) {
        try {
            switch (ValueFamily.of(plaintext)) {
                case CONNECT: {
                    SchemaAndValue sv = connect.decode(plaintext);
                    return sv.schema() == null ? fromSchemaless(sv.value(), 0) : fromConnect(sv.schema(), sv.value(), 0);
                }
                case AVRO: {
                    AvroValue av = avro.decode(plaintext);
                    return fromAvro(av.schema(), av.datum(), 0);
                }
                default:
                    break;
            }
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("value has no JSON form (" + e.getClass().getSimpleName() + ")");
        }
        PlaintextReader r = new PlaintextReader(plaintext, 1, plaintext.length);
        if (r.readLength() != 0) {
            throw new CodecException("JSON plaintext with a non-empty descriptor");
        }
        JsonNode node = read(r, 0);
        if (!r.atEnd()) {
            throw new CodecException("trailing bytes after JSON value");
        }
        return node;
    }

    // ---------------------------------------------------------------- tagged tree

    private static void write(PlaintextWriter w, JsonNode n, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("JSON nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        if (n == null) {
            w.writeByte(J_NULL);
            return;
        }
        switch (n.getNodeType()) {
            case NULL:
                w.writeByte(J_NULL);
                return;
            case BOOLEAN:
                w.writeByte(n.booleanValue() ? J_TRUE : J_FALSE);
                return;
            case STRING:
                w.writeByte(J_TEXT);
                w.writeString(n.textValue());
                return;
            case BINARY:
                w.writeByte(J_BINARY);
                w.writeLenBytes(((BinaryNode) n).binaryValue());
                return;
            case NUMBER:
                switch (n.numberType()) {
                    case INT:
                        if (n.isShort()) {
                            w.writeByte(J_SHORT);
                            w.writeSVarint(n.shortValue());
                        } else {
                            w.writeByte(J_INT);
                            w.writeSVarint(n.intValue());
                        }
                        return;
                    case LONG:
                        w.writeByte(J_LONG);
                        w.writeSVarint(n.longValue());
                        return;
                    case BIG_INTEGER:
                        w.writeByte(J_BIGINT);
                        w.writeBigInteger(n.bigIntegerValue());
                        return;
                    case FLOAT:
                        w.writeByte(J_FLOAT);
                        w.writeFloat(n.floatValue());
                        return;
                    case DOUBLE:
                        w.writeByte(J_DOUBLE);
                        w.writeDouble(n.doubleValue());
                        return;
                    case BIG_DECIMAL: {
                        BigDecimal d = n.decimalValue();
                        w.writeByte(J_DECIMAL);
                        w.writeSVarint(d.scale());
                        w.writeBigInteger(d.unscaledValue());
                        return;
                    }
                    default:
                        throw new CodecException("unsupported JSON number type " + n.numberType());
                }
            case ARRAY:
                w.writeByte(J_ARRAY);
                w.writeUVarint(n.size());
                for (JsonNode e : n) {
                    write(w, e, depth + 1);
                }
                return;
            case OBJECT: {
                w.writeByte(J_OBJECT);
                w.writeUVarint(n.size());
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    w.writeString(e.getKey());
                    write(w, e.getValue(), depth + 1);
                }
                return;
            }
            default:
                throw new CodecException("unsupported JSON node type " + n.getNodeType());
        }
    }

    private static JsonNode read(PlaintextReader r, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("JSON nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        int tag = r.readByte();
        switch (tag) {
            case J_NULL: return NullNode.getInstance();
            case J_FALSE: return BooleanNode.FALSE;
            case J_TRUE: return BooleanNode.TRUE;
            case J_SHORT: {
                long v = r.readSVarint();
                if (v != (short) v) throw new CodecException("JSON short out of range");
                return ShortNode.valueOf((short) v);
            }
            case J_INT: return IntNode.valueOf(r.readSVarint32());
            case J_LONG: return LongNode.valueOf(r.readSVarint());
            case J_BIGINT: return BigIntegerNode.valueOf(r.readBigInteger());
            case J_FLOAT: return FloatNode.valueOf(r.readFloat());
            case J_DOUBLE: return DoubleNode.valueOf(r.readDouble());
            case J_DECIMAL: {
                int scale = r.readSVarint32();
                return DecimalNode.valueOf(new BigDecimal(r.readBigInteger(), scale));
            }
            case J_TEXT: return TextNode.valueOf(r.readString());
            case J_BINARY: return BinaryNode.valueOf(r.readLenBytes());
            case J_ARRAY: {
                int n = r.readLength();
                ArrayNode a = NODES.arrayNode(n);
                for (int i = 0; i < n; i++) {
                    a.add(read(r, depth + 1));
                }
                return a;
            }
            case J_OBJECT: {
                int n = r.readLength();
                ObjectNode o = NODES.objectNode();
                for (int i = 0; i < n; i++) {
                    String k = r.readString();
                    o.set(k, read(r, depth + 1));
                }
                return o;
            }
            default:
                throw new CodecException("unknown JSON value tag " + tag);
        }
    }

    // ---------------------------------------------------------------- Connect → JSON (as JsonConverter)

    private static JsonNode fromConnect(Schema s, Object v, int depth) {
        if (v == null) {
            return NullNode.getInstance();
        }
        String name = s.name();
        if (name != null) {
            if (Decimal.LOGICAL_NAME.equals(name)) return DecimalNode.valueOf((BigDecimal) v);
            if (Date.LOGICAL_NAME.equals(name)) return IntNode.valueOf(Date.fromLogical(s, (java.util.Date) v));
            if (Time.LOGICAL_NAME.equals(name)) return IntNode.valueOf(Time.fromLogical(s, (java.util.Date) v));
            if (Timestamp.LOGICAL_NAME.equals(name)) return LongNode.valueOf(((java.util.Date) v).getTime());
        }
        switch (s.type()) {
            case ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (Object o : (List<?>) v) {
                    a.add(fromConnect(s.valueSchema(), o, depth + 1));
                }
                return a;
            }
            case MAP: {
                Map<?, ?> map = (Map<?, ?>) v;
                if (s.keySchema().type() == Schema.Type.STRING && s.keySchema().name() == null) {
                    ObjectNode o = NODES.objectNode();
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        o.set((String) e.getKey(), fromConnect(s.valueSchema(), e.getValue(), depth + 1));
                    }
                    return o;
                }
                ArrayNode a = NODES.arrayNode();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    a.addArray().add(fromConnect(s.keySchema(), e.getKey(), depth + 1))
                            .add(fromConnect(s.valueSchema(), e.getValue(), depth + 1));
                }
                return a;
            }
            case STRUCT: {
                Struct struct = (Struct) v;
                ObjectNode o = NODES.objectNode();
                for (Field f : s.fields()) {
                    o.set(f.name(), fromConnect(f.schema(), struct.get(f), depth + 1));
                }
                return o;
            }
            default:
                return scalar(v);
        }
    }

    private static JsonNode fromSchemaless(Object v, int depth) {
        if (v instanceof Struct) {
            Struct struct = (Struct) v;
            return fromConnect(struct.schema(), struct, depth);
        }
        if (v instanceof List) {
            ArrayNode a = NODES.arrayNode();
            for (Object o : (List<?>) v) {
                a.add(fromSchemaless(o, depth + 1));
            }
            return a;
        }
        if (v instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) v;
            boolean stringKeys = true;
            for (Object k : map.keySet()) {
                stringKeys &= k instanceof String;
            }
            if (stringKeys) {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    o.set((String) e.getKey(), fromSchemaless(e.getValue(), depth + 1));
                }
                return o;
            }
            ArrayNode a = NODES.arrayNode();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                a.addArray().add(fromSchemaless(e.getKey(), depth + 1)).add(fromSchemaless(e.getValue(), depth + 1));
            }
            return a;
        }
        if (v instanceof java.util.Date) {
            return LongNode.valueOf(((java.util.Date) v).getTime());
        }
        return scalar(v);
    }

    private static JsonNode scalar(Object v) {
        if (v == null) return NullNode.getInstance();
        if (v instanceof String) return TextNode.valueOf((String) v);
        if (v instanceof Boolean) return BooleanNode.valueOf((Boolean) v);
        if (v instanceof Byte) return IntNode.valueOf((Byte) v);
        if (v instanceof Short) return ShortNode.valueOf((Short) v);
        if (v instanceof Integer) return IntNode.valueOf((Integer) v);
        if (v instanceof Long) return LongNode.valueOf((Long) v);
        if (v instanceof Float) return FloatNode.valueOf((Float) v);
        if (v instanceof Double) return DoubleNode.valueOf((Double) v);
        if (v instanceof BigDecimal) return DecimalNode.valueOf((BigDecimal) v);
        if (v instanceof BigInteger) return BigIntegerNode.valueOf((BigInteger) v);
        if (v instanceof byte[]) return base64((byte[]) v);
        if (v instanceof ByteBuffer) return base64(bytes((ByteBuffer) v));
        throw new CodecException("no JSON form for value type " + v.getClass().getName());
    }

    private static TextNode base64(byte[] b) {
        return TextNode.valueOf(Base64.getEncoder().encodeToString(b));
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    // ---------------------------------------------------------------- Avro → JSON

    private static JsonNode fromAvro(org.apache.avro.Schema s, Object v, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("Avro value nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        switch (s.getType()) {
            case NULL:
                return NullNode.getInstance();
            case UNION:
                return fromAvro(s.getTypes().get(GenericData.get().resolveUnion(s, v)), v, depth + 1);
            case RECORD: {
                IndexedRecord rec = (IndexedRecord) v;
                ObjectNode o = NODES.objectNode();
                for (org.apache.avro.Schema.Field f : s.getFields()) {
                    o.set(f.name(), fromAvro(f.schema(), rec.get(f.pos()), depth + 1));
                }
                return o;
            }
            case ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (Object o : (Collection<?>) v) {
                    a.add(fromAvro(s.getElementType(), o, depth + 1));
                }
                return a;
            }
            case MAP: {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    o.set(e.getKey().toString(), fromAvro(s.getValueType(), e.getValue(), depth + 1));
                }
                return o;
            }
            case ENUM:
            case STRING:
                return TextNode.valueOf(v.toString());
            case BYTES:
            case FIXED: {
                byte[] b = v instanceof GenericFixed ? ((GenericFixed) v).bytes() : bytes((ByteBuffer) v);
                if (s.getLogicalType() instanceof org.apache.avro.LogicalTypes.Decimal) {
                    int scale = ((org.apache.avro.LogicalTypes.Decimal) s.getLogicalType()).getScale();
                    return DecimalNode.valueOf(new BigDecimal(new BigInteger(b), scale));
                }
                return base64(b);
            }
            default:
                return scalar(v); // int (date, time-millis), long (time-micros, timestamps), float, double, boolean
        }
    }

}
