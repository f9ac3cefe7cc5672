package dev.fieldseal.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * The compact binary descriptors of Connect schemas that CONNECT-family plaintexts carry
 * ({@code docs/value-codec.md}, "Schema descriptor"): written once per schema instance and parsed
 * once per distinct descriptor, both cached and bounded (descriptors come from records). Default
 * values are written in the codec's self-describing form, so the two call each other.
 */
final class ConnectDescriptors {

    // Descriptor type codes (low 5 bits of a schema header byte).
    static final int T_INT8 = 1, T_INT16 = 2, T_INT32 = 3, T_INT64 = 4, T_FLOAT32 = 5, T_FLOAT64 = 6,
            T_BOOLEAN = 7, T_STRING = 8, T_BYTES = 9, T_ARRAY = 10, T_MAP = 11, T_STRUCT = 12,
            T_DECIMAL = 13, T_DATE = 14, T_TIME = 15, T_TIMESTAMP = 16;
    static final int H_OPTIONAL = 0x20, H_EXTRAS = 0x40;
    static final int X_NAME = 0x01, X_VERSION = 0x02, X_DOC = 0x04, X_PARAMS = 0x08, X_DEFAULT = 0x10;

    private final ConnectValueCodec values;
    private final IdentityCache<Schema, byte[]> written = new IdentityCache<>(512);
    private final BytesCache<Schema> parsed = new BytesCache<>(4096);

    ConnectDescriptors(ConnectValueCodec values) {
        this.values = values;
    }

    /** The descriptor of a schema (shared: callers must not change it). */
    byte[] of(Schema schema) {
        return written.get(schema, this::build);
    }

    /** The schema of the descriptor at {@code buf[off, off + len)}. */
    Schema parse(byte[] buf, int off, int len) {
        return parsed.get(buf, off, len, this::parseAll);
    }


    private byte[] build(Schema schema) {
        PlaintextWriter w = PlaintextWriter.local();
        try {
            writeSchema(w, schema, 0);
            return w.finish();
        } catch (RuntimeException e) {
            w.release();
            throw e;
        }
    }

    private void writeSchema(PlaintextWriter w, Schema s, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("schema nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        int code = logicalCode(s);
        boolean logical = code != 0;
        if (!logical) {
            code = typeCode(s.type());
        }
        int extras = 0;
        if (!logical) {
            if (s.name() != null) extras |= X_NAME;
            if (s.version() != null) extras |= X_VERSION;
            if (s.parameters() != null) extras |= X_PARAMS;
        }
        if (s.doc() != null) extras |= X_DOC;
        if (s.defaultValue() != null) extras |= X_DEFAULT;
        w.writeByte(code | (s.isOptional() ? H_OPTIONAL : 0) | (extras != 0 ? H_EXTRAS : 0));
        switch (code) {
            case T_DECIMAL:
                w.writeSVarint(decimalScale(s));
                break;
            case T_ARRAY:
                writeSchema(w, s.valueSchema(), depth + 1);
                break;
            case T_MAP:
                writeSchema(w, s.keySchema(), depth + 1);
                writeSchema(w, s.valueSchema(), depth + 1);
                break;
            case T_STRUCT:
                List<Field> fields = s.fields();
                w.writeUVarint(fields.size());
                for (Field f : fields) {
                    w.writeString(f.name());
                    writeSchema(w, f.schema(), depth + 1);
                }
                break;
            default:
                break;
        }
        if (extras != 0) {
            w.writeByte(extras);
            if ((extras & X_NAME) != 0) w.writeString(s.name());
            if ((extras & X_VERSION) != 0) w.writeSVarint(s.version());
            if ((extras & X_DOC) != 0) w.writeString(s.doc());
            if ((extras & X_PARAMS) != 0) {
                // sorted, so equal schemas give identical descriptors whatever the map's order
                Map<String, String> sorted = new TreeMap<>();
                for (Map.Entry<String, String> e : s.parameters().entrySet()) {
                    if (e.getKey() == null || e.getValue() == null) {
                        throw new CodecException("schema parameter with null key or value");
                    }
                    sorted.put(e.getKey(), e.getValue());
                }
                w.writeUVarint(sorted.size());
                for (Map.Entry<String, String> e : sorted.entrySet()) {
                    w.writeString(e.getKey());
                    w.writeString(e.getValue());
                }
            }
            if ((extras & X_DEFAULT) != 0) values.writeTagged(w, s.defaultValue(), depth + 1);
        }
    }

    /** The shortcut code of a standard logical type, or 0 if the schema is not exactly one. */
    private static int logicalCode(Schema s) {
        String name = s.name();
        if (name == null || !Integer.valueOf(1).equals(s.version())) {
            return 0;
        }
        Map<String, String> p = s.parameters();
        switch (s.type()) {
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name) && p != null && p.size() == 1) {
                    String scale = p.get(Decimal.SCALE_FIELD);
                    try {
                        if (scale != null && Integer.toString(Integer.parseInt(scale)).equals(scale)) {
                            return T_DECIMAL;
                        }
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
                return 0;
            case INT32:
                if (p != null) return 0;
                if (Date.LOGICAL_NAME.equals(name)) return T_DATE;
                if (Time.LOGICAL_NAME.equals(name)) return T_TIME;
                return 0;
            case INT64:
                return p == null && Timestamp.LOGICAL_NAME.equals(name) ? T_TIMESTAMP : 0;
            default:
                return 0;
        }
    }

    private static int typeCode(Schema.Type t) {
        switch (t) {
            case INT8: return T_INT8;
            case INT16: return T_INT16;
            case INT32: return T_INT32;
            case INT64: return T_INT64;
            case FLOAT32: return T_FLOAT32;
            case FLOAT64: return T_FLOAT64;
            case BOOLEAN: return T_BOOLEAN;
            case STRING: return T_STRING;
            case BYTES: return T_BYTES;
            case ARRAY: return T_ARRAY;
            case MAP: return T_MAP;
            case STRUCT: return T_STRUCT;
            default: throw new CodecException("unsupported schema type " + t);
        }
    }

    static int decimalScale(Schema s) {
        String scale = s.parameters() == null ? null : s.parameters().get(Decimal.SCALE_FIELD);
        if (scale == null) {
            throw new CodecException("Decimal schema without a scale parameter");
        }
        try {
            return Integer.parseInt(scale);
        } catch (NumberFormatException e) {
            throw new CodecException("Decimal schema with a non-integer scale parameter");
        }
    }

    // ---------------------------------------------------------------- descriptor parsing

    private Schema parseAll(byte[] d) {
        PlaintextReader r = new PlaintextReader(d, 0, d.length);
        Schema s = readSchema(r, 0);
        if (!r.atEnd()) {
            throw new CodecException("trailing bytes after schema descriptor");
        }
        return s;
    }

    private Schema readSchema(PlaintextReader r, int depth) {
        if (depth > ConnectValueCodec.MAX_DEPTH) {
            throw new CodecException("schema nested deeper than " + ConnectValueCodec.MAX_DEPTH);
        }
        int h = r.readByte();
        if ((h & 0x80) != 0) {
            throw new CodecException("reserved bit set in schema header");
        }
        int code = h & 0x1F;
        boolean optional = (h & H_OPTIONAL) != 0;
        Schema.Type type;
        String name = null;
        Integer version = null;
        Map<String, String> params = null;
        List<Field> fields = null;
        Schema keySchema = null;
        Schema valueSchema = null;
        switch (code) {
            case T_INT8: type = Schema.Type.INT8; break;
            case T_INT16: type = Schema.Type.INT16; break;
            case T_INT32: type = Schema.Type.INT32; break;
            case T_INT64: type = Schema.Type.INT64; break;
            case T_FLOAT32: type = Schema.Type.FLOAT32; break;
            case T_FLOAT64: type = Schema.Type.FLOAT64; break;
            case T_BOOLEAN: type = Schema.Type.BOOLEAN; break;
            case T_STRING: type = Schema.Type.STRING; break;
            case T_BYTES: type = Schema.Type.BYTES; break;
            case T_ARRAY:
                type = Schema.Type.ARRAY;
                valueSchema = readSchema(r, depth + 1);
                break;
            case T_MAP:
                type = Schema.Type.MAP;
                keySchema = readSchema(r, depth + 1);
                valueSchema = readSchema(r, depth + 1);
                break;
            case T_STRUCT: {
                type = Schema.Type.STRUCT;
                int n = r.readLength();
                fields = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String fname = r.readString();
                    for (Field f : fields) {
                        if (f.name().equals(fname)) {
                            throw new CodecException("duplicate struct field name in descriptor");
                        }
                    }
                    fields.add(new Field(fname, i, readSchema(r, depth + 1)));
                }
                fields = Collections.unmodifiableList(fields);
                break;
            }
            case T_DECIMAL:
                type = Schema.Type.BYTES;
                name = Decimal.LOGICAL_NAME;
                version = 1;
                params = new LinkedHashMap<>();
                params.put(Decimal.SCALE_FIELD, Integer.toString(r.readSVarint32()));
                break;
            case T_DATE: type = Schema.Type.INT32; name = Date.LOGICAL_NAME; version = 1; break;
            case T_TIME: type = Schema.Type.INT32; name = Time.LOGICAL_NAME; version = 1; break;
            case T_TIMESTAMP: type = Schema.Type.INT64; name = Timestamp.LOGICAL_NAME; version = 1; break;
            default: throw new CodecException("unknown schema type code " + code);
        }
        String doc = null;
        Object defaultValue = null;
        if ((h & H_EXTRAS) != 0) {
            int x = r.readByte();
            boolean logical = code >= T_DECIMAL;
            if (x == 0 || (x & ~0x1F) != 0 || (logical && (x & (X_NAME | X_VERSION | X_PARAMS)) != 0)) {
                throw new CodecException("malformed schema extras flags");
            }
            if ((x & X_NAME) != 0) name = r.readString();
            if ((x & X_VERSION) != 0) version = r.readSVarint32();
            if ((x & X_DOC) != 0) doc = r.readString();
            if ((x & X_PARAMS) != 0) {
                int n = r.readLength();
                params = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String k = r.readString();
                    params.put(k, r.readString());
                }
            }
            if ((x & X_DEFAULT) != 0) {
                defaultValue = values.readTagged(r, depth + 1);
                if (defaultValue == null) {
                    throw new CodecException("null default value in descriptor");
                }
            }
        }
        ConnectSchema s = new ConnectSchema(type, optional, defaultValue, name, version, doc, params,
                fields, keySchema, valueSchema);
        if (defaultValue != null && type != Schema.Type.STRUCT) {
            try {
                ConnectSchema.validateValue(s, defaultValue);
            } catch (DataException e) {
                throw new CodecException("default value does not match schema type " + type);
            }
        }
        return s;
    }
}
