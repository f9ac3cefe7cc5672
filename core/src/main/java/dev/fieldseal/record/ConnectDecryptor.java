package dev.fieldseal.record;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.PathMemo;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Decrypts fieldseal values inside a Connect value and restores their original values and
 * schemas from the ciphertext and the encrypted fields' schema parameters alone. With an empty
 * selection every encrypted value found is decrypted; otherwise only the selected paths.
 * Values found where they were not encrypted (another path) fail authentication: never garbage.
 */
public final class ConnectDecryptor {

    private final Unsealer unsealer;
    private final PathFilter filter;
    private final PathMemo paths = new PathMemo();
    private final ConnectValueCodec codec;
    private final EncryptedSchemas schemas;
    private final SchemaMemo<Schema, Schema> schemaCache = new SchemaMemo<>(512);

    /** The decrypted value, its schema (null for schemaless), and how many values were decrypted. */
    public record Result(Schema schema, Object value, int fields) {
    }

    public ConnectDecryptor(Unsealer unsealer, FieldSelection selection, ConnectValueCodec codec) {
        this.unsealer = unsealer;
        this.filter = new PathFilter(selection);
        this.codec = codec;
        this.schemas = new EncryptedSchemas(codec, false);
    }

    /**
     * @param headerEdeks the record's {@code fieldseal.edek} header, parsed ({@link Unsealer#headerEdeks}); empty
     *                    under field placement
     */
    public Result decrypt(Schema schema, Object value, Map<ByteBuffer, Edek> headerEdeks) {
        Walk walk = new Walk(headerEdeks);
        if (schema == null) {
            return new Result(null, value == null ? null : walk.schemaless(value, ""), walk.count);
        }
        if (schema.type() != Schema.Type.STRUCT) {
            return new Result(schema, value, 0);
        }
        Schema out = outputSchema(schema);
        if (value == null) {
            return new Result(out, null, 0);
        }
        return new Result(out, walk.struct((Struct) value, out, ""), walk.count);
    }

    /** The schema records of {@code schema} get when decrypted (cached). */
    public Schema outputSchema(Schema schema) {
        return schemaCache.get(schema, s -> structSchema(s, ""));
    }

    // ---- schemas -------------------------------------------------------------------------------

    private Schema structSchema(Schema s, String path) {
        SchemaBuilder b = EncryptedSchemas.copyBasics(s, SchemaBuilder.struct());
        for (Field f : s.fields()) {
            b.field(f.name(), fieldSchema(f.schema(), FieldPath.append(path, f.name(), false),
                    FieldPath.append(path, f.name(), true)));
        }
        return b.build();
    }

    private Schema fieldSchema(Schema fs, String path, String eachPath) {
        if (EncryptedSchemas.isEncrypted(fs)) {
            return filter.wanted(path) ? schemas.original(fs) : fs;
        }
        switch (fs.type()) {
            case STRUCT:
                return filter.mayContain(path) ? structSchema(fs, path) : fs;
            case ARRAY:
            case MAP:
                Schema inner = fs.valueSchema();
                Schema newInner = EncryptedSchemas.isEncrypted(inner) ? (filter.wanted(eachPath) ? schemas.original(inner) : inner)
                        : inner.type() == Schema.Type.STRUCT && filter.mayContain(eachPath) ? structSchema(inner, eachPath)
                        : inner;
                if (newInner == inner) {
                    return fs;
                }
                SchemaBuilder b = fs.type() == Schema.Type.ARRAY ? SchemaBuilder.array(newInner)
                        : SchemaBuilder.map(fs.keySchema(), newInner);
                return EncryptedSchemas.copyBasics(fs, b).build();
            default:
                return fs;
        }
    }

    // ---- values --------------------------------------------------------------------------------

    private final class Walk {
        private final Unsealer.RecordScope scope;
        private int count;

        Walk(Map<ByteBuffer, Edek> edeks) {
            this.scope = new Unsealer.RecordScope(edeks);
        }

        Struct struct(Struct in, Schema outSchema, String path) {
            Struct out = new Struct(outSchema);
            List<Field> inFields = in.schema().fields();
            List<Field> outFields = outSchema.fields(); // same names in the same order
            for (int i = 0; i < inFields.size(); i++) {
                Field f = inFields.get(i);
                Field of = outFields.get(i);
                Object v = in.get(f); // by index; a default stands in for null only where one is set
                if (v != null && v == f.schema().defaultValue()) {
                    v = in.getWithoutDefault(f.name());
                }
                Schema outField = of.schema();
                out.put(of, v == null || outField == f.schema() && !isStringMap(f.schema()) ? v
                        : value(f.schema(), v, outField, path, f.name()));
            }
            return out;
        }

        private Object value(Schema schema, Object v, Schema outSchema, String parent, String name) {
            String path = paths.append(parent, name, false);
            if (EncryptedSchemas.isEncrypted(schema)) {
                return open(v, path);
            }
            String eachPath = paths.append(parent, name, true);
            switch (schema.type()) {
                case STRUCT:
                    return struct((Struct) v, outSchema, path);
                case ARRAY: {
                    List<Object> out = new ArrayList<>();
                    for (Object e : (List<?>) v) {
                        out.add(e == null ? null : element(schema.valueSchema(), e, outSchema.valueSchema(), eachPath));
                    }
                    return out;
                }
                case MAP: {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    Schema inner = schema.valueSchema();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        Object ev = e.getValue();
                        Object nv;
                        if (ev == null) {
                            nv = null;
                        } else if (isStringMap(schema) && !EncryptedSchemas.isEncrypted(inner)) {
                            String keyPath = paths.append(path, String.valueOf(e.getKey()), false);
                            nv = looksEncrypted(ev) && filter.wanted(keyPath) ? open(ev, keyPath) : ev;
                        } else {
                            nv = element(inner, ev, outSchema.valueSchema(), eachPath);
                        }
                        out.put(e.getKey(), nv);
                    }
                    return out;
                }
                default:
                    return v;
            }
        }

        private Object element(Schema inner, Object e, Schema outInner, String eachPath) {
            if (EncryptedSchemas.isEncrypted(inner)) {
                return outInner == inner ? e : open(e, eachPath);
            }
            return inner.type() == Schema.Type.STRUCT && outInner != inner ? struct((Struct) e, outInner, eachPath) : e;
        }

        /** Schemaless: maps by key, lists with [*]; encrypted values recognised by their magic prefix. */
        Object schemaless(Object v, String path) {
            if (v instanceof Map<?, ?> m) {
                Map<Object, Object> out = new LinkedHashMap<>(m.size() * 2);
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Object ev = e.getValue();
                    if (!mayHoldEncrypted(ev)) {
                        out.put(e.getKey(), ev); // nothing to decrypt: no path needed
                        continue;
                    }
                    if (ev instanceof List<?> list) {
                        String eachPath = paths.append(path, String.valueOf(e.getKey()), true);
                        List<Object> outList = new ArrayList<>(list.size());
                        for (Object x : list) {
                            outList.add(looksEncrypted(x) ? (filter.wanted(eachPath) ? open(x, eachPath) : x)
                                    : schemalessNested(x, eachPath));
                        }
                        out.put(e.getKey(), outList);
                    } else {
                        String p = paths.append(path, String.valueOf(e.getKey()), false);
                        out.put(e.getKey(), looksEncrypted(ev) ? (filter.wanted(p) ? open(ev, p) : ev)
                                : schemalessNested(ev, p));
                    }
                }
                return out;
            }
            return v;
        }

        private Object schemalessNested(Object v, String path) {
            return v instanceof Map<?, ?> && filter.mayContain(path) ? schemaless(v, path) : v;
        }

        private Object open(Object v, String path) {
            byte[] envelope;
            if (v instanceof String s) {
                try {
                    envelope = Base64.getDecoder().decode(s);
                } catch (IllegalArgumentException e) {
                    throw new DataException("Field '" + path + "' is marked encrypted but is not base64 text.");
                }
            } else if (v instanceof byte[] b) {
                envelope = b;
            } else if (v instanceof ByteBuffer bb) {
                envelope = new byte[bb.remaining()];
                bb.duplicate().get(envelope);
            } else {
                throw new DataException("Field '" + path + "' is marked encrypted but holds a "
                        + v.getClass().getSimpleName() + ".");
            }
            byte[] plaintext = unsealer.unseal(envelope, path, scope);
            count++;
            return codec.decode(plaintext).value();
        }
    }

    private static boolean isStringMap(Schema s) {
        return s.type() == Schema.Type.MAP
                && (s.valueSchema().type() == Schema.Type.STRING || s.valueSchema().type() == Schema.Type.BYTES);
    }

    /**
     * Whether a schemaless value is, or may contain, an encrypted value. Tests against classes come
     * first: they are cheap, while a failed test against an interface scans the class's interfaces.
     */
    private static boolean mayHoldEncrypted(Object v) {
        if (v instanceof String s) {
            return EnvelopeLayout.hasTextMagic(s);
        }
        if (v == null || v instanceof Number || v instanceof Boolean) {
            return false;
        }
        return v instanceof byte[] b ? EnvelopeLayout.hasMagic(b) : v instanceof List || v instanceof Map;
    }

    /** A string or bytes value that starts like a fieldseal envelope. */
    static boolean looksEncrypted(Object v) {
        return v instanceof String s ? EnvelopeLayout.hasTextMagic(s) : v instanceof byte[] b && EnvelopeLayout.hasMagic(b);
    }
}
