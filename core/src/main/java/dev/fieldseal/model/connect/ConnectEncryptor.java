package dev.fieldseal.model.connect;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.value.SchemaMemo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Encrypts the selected fields of a Connect value: a {@link Struct} with its schema, or a
 * schemaless {@link Map}. Nested fields, array elements ({@code [*]}), every value of a map with a
 * schema ({@code [*]}) and single keys of maps are supported. Null values stay null; selected
 * fields absent from a record are skipped; values already encrypted are left as they are.
 * Output schemas are derived once per input schema and cached.
 */
public final class ConnectEncryptor {

    private final Sealer sealer;
    private final FieldSelection selection;
    private final ConnectValueCodec codec;
    private final EncryptedSchemas schemas;
    private final boolean bytesOutput;
    private final SchemaMemo<Schema, Schema> schemaCache = new SchemaMemo<>(512);

    /** The encrypted value, its schema (null for schemaless) and what was used, for the headers. */
    public record Result(Schema schema, Object value, SealedRecord sealed) {
    }

    public ConnectEncryptor(Sealer sealer, FieldSelection selection, ConnectValueCodec codec, boolean bytesOutput) {
        this.sealer = sealer;
        this.selection = selection;
        this.codec = codec;
        this.bytesOutput = bytesOutput;
        this.schemas = new EncryptedSchemas(codec, bytesOutput);
    }

    public Result encrypt(Schema schema, Object value) {
        return encrypt(schema, value, new FieldSealer(sealer));
    }

    /** {@link #encrypt(Schema, Object)}, sealing with {@code sealed} (a record whose key its template picked). */
    public Result encrypt(Schema schema, Object value, FieldSealer sealed) {
        if (schema == null) {
            if (value == null) {
                return new Result(null, null, sealed.record());
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new DataException("Schemaless value is a " + value.getClass().getSimpleName()
                        + ", not a map: only maps (JSON objects) have fields to encrypt.");
            }
            return new Result(null, sealMap(map, selection, sealed), sealed.record());
        }
        if (schema.type() != Schema.Type.STRUCT) {
            throw new DataException("Value schema is " + schema.type() + ", not a struct: only structs have fields "
                    + "to encrypt.");
        }
        Schema out = outputSchema(schema);
        if (value == null) {
            return new Result(out, null, sealed.record());
        }
        return new Result(out, sealStruct((Struct) value, out, selection, sealed), sealed.record());
    }

    /** The schema records of {@code schema} get when encrypted (cached). */
    public Schema outputSchema(Schema schema) {
        return schemaCache.get(schema, s -> structSchema(s, selection));
    }

    // ---- schemas -------------------------------------------------------------------------------

    private Schema structSchema(Schema s, FieldSelection node) {
        SchemaBuilder b = EncryptedSchemas.copyBasics(s, SchemaBuilder.struct());
        for (Field f : s.fields()) {
            b.field(f.name(), fieldSchema(f.schema(), child(node, f.name())));
        }
        return b.build();
    }

    private Schema fieldSchema(Schema fs, FieldSelection n) {
        if (n == null || EncryptedSchemas.isEncrypted(fs)) {
            return fs;
        }
        // [*] first: a selected each-node encrypts every element at "name[*]", not the container.
        if (isEach(n)) {
            return eachSchema(fs, n);
        }
        if (n.selected()) {
            return schemas.encrypted(fs);
        }
        switch (fs.type()) {
            case STRUCT:
                return structSchema(fs, n);
            case MAP:
                Schema vs = fs.valueSchema();
                if (vs.type() != Schema.Type.BYTES && vs.type() != Schema.Type.STRING) {
                    throw new DataException("Cannot encrypt single keys of map '" + n.path() + "': its values are "
                            + vs.type() + " and would change type for some keys only. Encrypt every value with '"
                            + n.path() + "[*]' instead.");
                }
                return fs;
            default:
                throw new DataException("Field path '" + n.path() + ".…' goes through a " + fs.type()
                        + " field; only structs and maps have named fields.");
        }
    }

    private Schema eachSchema(Schema fs, FieldSelection n) {
        Schema inner = fs.valueSchema();
        if (fs.type() != Schema.Type.ARRAY && fs.type() != Schema.Type.MAP) {
            throw new DataException("Field path '" + n.path() + "' uses [*] on a " + fs.type()
                    + " field; [*] applies to arrays and maps.");
        }
        Schema newInner = n.selected() ? (EncryptedSchemas.isEncrypted(inner) ? inner : schemas.encrypted(inner))
                : requireStruct(inner, n, structSchemaOf(inner, n));
        SchemaBuilder b = fs.type() == Schema.Type.ARRAY ? SchemaBuilder.array(newInner)
                : SchemaBuilder.map(fs.keySchema(), newInner);
        return EncryptedSchemas.copyBasics(fs, b).build();
    }

    private Schema structSchemaOf(Schema inner, FieldSelection n) {
        return inner.type() == Schema.Type.STRUCT ? structSchema(inner, n) : null;
    }

    private static Schema requireStruct(Schema inner, FieldSelection n, Schema converted) {
        if (converted == null) {
            throw new DataException("Field path '" + n.path() + ".…' selects fields of " + inner.type()
                    + " elements; only struct elements have fields.");
        }
        return converted;
    }

    // ---- values --------------------------------------------------------------------------------

    private Struct sealStruct(Struct in, Schema outSchema, FieldSelection node, FieldSealer sealed) {
        Struct out = new Struct(outSchema);
        List<Field> inFields = in.schema().fields();
        List<Field> outFields = outSchema.fields(); // same names in the same order (outputSchema)
        for (int i = 0; i < inFields.size(); i++) {
            Field f = inFields.get(i);
            Field of = outFields.get(i);
            Object v = in.get(f); // by index, not by name; a default stands in for null only where one is set
            if (v != null && v == f.schema().defaultValue()) {
                v = in.getWithoutDefault(f.name());
            }
            FieldSelection n = child(node, f.name());
            out.put(of, n == null || v == null ? v : sealWithSchema(f.schema(), v, n, of.schema(), sealed));
        }
        return out;
    }

    private Object sealWithSchema(Schema schema, Object v, FieldSelection n, Schema outSchema, FieldSealer sealed) {
        if (EncryptedSchemas.isEncrypted(schema)) {
            return v;
        }
        if (!isEach(n) && n.selected()) {
            return ciphertext(schema, v, n, sealed);
        }
        if (isEach(n)) {
            Schema inner = schema.valueSchema();
            Schema outInner = outSchema.valueSchema();
            if (schema.type() == Schema.Type.ARRAY) {
                List<?> list = (List<?>) v;
                List<Object> out = new ArrayList<>(list.size());
                for (Object e : list) {
                    out.add(e == null ? null : eachElement(inner, e, n, outInner, sealed));
                }
                return out;
            }
            Map<?, ?> map = (Map<?, ?>) v;
            Map<Object, Object> out = new LinkedHashMap<>(map.size() * 2);
            map.forEach((k, e) -> out.put(k, e == null ? null : eachElement(inner, e, n, outInner, sealed)));
            return out;
        }
        if (schema.type() == Schema.Type.STRUCT) {
            return sealStruct((Struct) v, outSchema, n, sealed);
        }
        // A map with a schema, single keys selected (values are strings or bytes, checked with the schema).
        return sealMapKeys((Map<?, ?>) v, n, schema.valueSchema(), sealed);
    }

    private Object eachElement(Schema inner, Object e, FieldSelection n, Schema outInner, FieldSealer sealed) {
        if (EncryptedSchemas.isEncrypted(inner)) {
            return e;
        }
        return n.selected() ? ciphertext(inner, e, n, sealed) : sealStruct((Struct) e, outInner, n, sealed);
    }

    private Map<Object, Object> sealMapKeys(Map<?, ?> map, FieldSelection n, Schema valueSchema, FieldSealer sealed) {
        Map<Object, Object> out = new LinkedHashMap<>(map);
        for (Map.Entry<String, FieldSelection> c : n.fields().entrySet()) {
            Object v = map.get(c.getKey());
            if (v != null && c.getValue().selected()) {
                // The map's value type stays: base64 text in a string map, raw bytes in a bytes map.
                out.put(c.getKey(), ciphertext(valueSchema, v, c.getValue(), sealed,
                        valueSchema.type() == Schema.Type.BYTES));
            }
        }
        return out;
    }

    /** Schemaless: maps (JSON objects) and lists, by key and [*]. */
    private Map<Object, Object> sealMap(Map<?, ?> map, FieldSelection node, FieldSealer sealed) {
        Map<Object, Object> out = new LinkedHashMap<>(map);
        for (Map.Entry<String, FieldSelection> c : node.fields().entrySet()) {
            Object v = map.get(c.getKey());
            if (v != null) {
                out.put(c.getKey(), sealSchemaless(v, c.getValue(), sealed));
            }
        }
        for (Map.Entry<String, FieldSelection> c : node.eachFields().entrySet()) {
            Object v = map.get(c.getKey());
            if (v == null) {
                continue;
            }
            if (!(v instanceof List<?> list)) {
                throw new DataException("Field path '" + c.getValue().path() + "' uses [*], but the value is a "
                        + v.getClass().getSimpleName() + ", not a list.");
            }
            List<Object> outList = new ArrayList<>(list.size());
            for (Object e : list) {
                outList.add(e == null ? null : sealSchemaless(e, c.getValue(), sealed));
            }
            out.put(c.getKey(), outList);
        }
        return out;
    }

    private Object sealSchemaless(Object v, FieldSelection n, FieldSealer sealed) {
        if (n.selected()) {
            return ciphertext(null, v, n, sealed);
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new DataException("Field path '" + n.path() + ".…' goes through a "
                    + v.getClass().getSimpleName() + "; only maps (JSON objects) have named fields.");
        }
        return sealMap(m, n, sealed);
    }

    private Object ciphertext(Schema schema, Object v, FieldSelection n, FieldSealer sealed) {
        return ciphertext(schema, v, n, sealed, bytesOutput);
    }

    private Object ciphertext(Schema schema, Object v, FieldSelection n, FieldSealer sealed, boolean asBytes) {
        return sealed.seal(v, n, x -> codec.encode(schema, x), asBytes);
    }

    private static FieldSelection child(FieldSelection node, String name) {
        FieldSelection n = node.field(name);
        return n != null ? n : node.each(name);
    }

    private static boolean isEach(FieldSelection n) {
        return n.eachElement();
    }
}
