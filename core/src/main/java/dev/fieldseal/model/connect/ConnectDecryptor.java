package dev.fieldseal.model.connect;

import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.codec.ValueFamily;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.Masks;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.PathMemo;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.field.PathFilter;
import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.SchemaMemo;
import dev.fieldseal.value.SealedValues;
import dev.fieldseal.kms.Edek;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Decrypts fieldseal values inside a Connect value and restores their original values and
 * schemas from the ciphertext and the encrypted fields' schema parameters alone. With an empty
 * selection every encrypted value found is decrypted; otherwise only the selected paths.
 * Values found where they were not encrypted (another path) fail authentication: never garbage.
 *
 * <p>A value that cannot be opened goes to the host's {@link OnFailure} (by default core's
 * exception propagates). A mask is {@link Masks#connect} of the field's original schema (null
 * for schemaless values, whose type is unknown). A value left sealed stays in place in a
 * schemaless value; in a Struct it cannot sit in a field whose restored schema has another type,
 * so the whole Struct is returned as it was read, with its encrypted schema.
 */
public final class ConnectDecryptor {

    private final Unsealer unsealer;
    private final PathFilter filter;
    private final PathMemo paths = new PathMemo();
    private final ConnectValueCodec codec;
    /** Values sealed by a JSON writer (the serializer, the Streams app) read in schemaless records. */
    private final JsonValueCodec jsonCodec;
    private final EncryptedSchemas schemas;
    private final SchemaMemo<Schema, Schema> schemaCache = new SchemaMemo<>(512);
    private final OnFailure onFailure;

    /**
     * The decrypted value, its schema (null for schemaless), how many values were decrypted, and
     * how many the failure policy left sealed.
     */
    public record Result(Schema schema, Object value, int fields, int leftSealed) {
        public Result(Schema schema, Object value, int fields) {
            this(schema, value, fields, 0);
        }
    }

    public ConnectDecryptor(Unsealer unsealer, FieldSelection selection, ConnectValueCodec codec) {
        this(unsealer, selection, codec, null);
    }

    /** @param onFailure the host's failure policy; null: core's exception propagates */
    public ConnectDecryptor(Unsealer unsealer, FieldSelection selection, ConnectValueCodec codec, OnFailure onFailure) {
        this.onFailure = onFailure == null ? OnFailure.rethrow() : onFailure;
        this.unsealer = unsealer;
        this.filter = new PathFilter(selection);
        this.codec = codec;
        this.jsonCodec = new JsonValueCodec(codec, new AvroValueCodec());
        this.schemas = new EncryptedSchemas(codec, false);
    }

    /**
     * @param headerEdeks the record's {@code fieldseal.edek} header, parsed ({@link Unsealer#headerEdeks}); empty
     *                    under field placement
     */
    public Result decrypt(Schema schema, Object value, Map<ByteBuffer, Edek> headerEdeks) {
        Walk walk = new Walk(new FieldOpener(unsealer, headerEdeks, onFailure));
        if (schema == null) {
            Object out = value == null ? null : walk.schemaless(value, "");
            return new Result(null, out, walk.opener.opened(), walk.opener.leftSealed());
        }
        if (schema.type() != Schema.Type.STRUCT) {
            return new Result(schema, value, 0);
        }
        Schema out = outputSchema(schema);
        if (value == null) {
            return new Result(out, null, 0);
        }
        try {
            return new Result(out, walk.struct((Struct) value, out, ""), walk.opener.opened());
        } catch (LeaveSealed e) {
            return new Result(schema, value, 0, 1);
        }
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
        private final FieldOpener opener;

        Walk(FieldOpener opener) {
            this.opener = opener;
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
                return open(v, path, outSchema, true);
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
                            nv = SealedValues.looksSealed(ev) && filter.wanted(keyPath) ? open(ev, keyPath, inner, false) : ev;
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
                return outInner == inner ? e : open(e, eachPath, outInner, true);
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
                            outList.add(SealedValues.looksSealed(x) ? (filter.wanted(eachPath) ? open(x, eachPath, null, false) : x)
                                    : schemalessNested(x, eachPath));
                        }
                        out.put(e.getKey(), outList);
                    } else {
                        String p = paths.append(path, String.valueOf(e.getKey()), false);
                        out.put(e.getKey(), SealedValues.looksSealed(ev) ? (filter.wanted(p) ? open(ev, p, null, false) : ev)
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

        /**
         * @param original the schema the value gets back (null: schemaless)
         * @param typed whether the value sits where its schema is restored: a value left sealed there
         *        makes the whole Struct stay as it was read
         */
        private Object open(Object v, String path, Schema original, boolean typed) {
            Object out = opener.open(v, path, plaintext -> decoded(plaintext, original),
                    maskText -> Masks.connect(original, maskText));
            if (out == v && typed) {
                throw new LeaveSealed();
            }
            return out;
        }
    }

    /** A Connect value from its plaintext; a JSON writer's value in a schemaless record as JsonConverter would read it. */
    private Object decoded(byte[] plaintext, Schema original) {
        return original == null && ValueFamily.of(plaintext) == ValueFamily.JSON
                ? SchemalessJson.toConnect(jsonCodec.decode(plaintext)) : codec.decode(plaintext).value();
    }

    /** Unwinds the walk when the policy leaves a Struct's value sealed: the Struct is returned as it was read. */
    private static final class LeaveSealed extends RuntimeException {
        LeaveSealed() {
            super(null, null, false, false);
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
        if (v instanceof String || v instanceof byte[]) {
            return SealedValues.looksSealed(v);
        }
        return v instanceof List || v instanceof Map;
    }
}
