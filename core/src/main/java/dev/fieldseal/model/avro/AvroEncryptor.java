package dev.fieldseal.model.avro;

import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.value.SchemaMemo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Encrypts the selected fields of an Avro {@link GenericRecord}. In the output schema an encrypted
 * field's type is {@code string} (base64 envelope), or {@code ["null","string"]} if the original
 * allowed null, and the field carries the original field schema as the property
 * {@value AvroEncryptedSchemas#ORIGINAL_SCHEMA} (and its default, if any, as
 * {@value AvroEncryptedSchemas#ORIGINAL_DEFAULT}); {@code [*]} over arrays and maps puts the same
 * properties on the element's {@code string} schema. {@link AvroDecryptor} restores a schema that
 * {@code equals} the original from those properties alone. Nested records are reached through
 * plain and nullable-union fields. Output schemas are derived once per input schema and cached.
 */
public final class AvroEncryptor {

    private final Sealer sealer;
    private final FieldSelection selection;
    private final AvroValueCodec codec;
    private final SchemaMemo<Schema, Schema> schemaCache = new SchemaMemo<>(256);

    /** The encrypted record and what was used, for the record's headers. */
    public record Result(GenericRecord value, SealedRecord sealed) {
    }

    public AvroEncryptor(Sealer sealer, FieldSelection selection, AvroValueCodec codec) {
        this.sealer = sealer;
        this.selection = selection;
        this.codec = codec;
    }

    public Result encrypt(GenericRecord record) {
        return encrypt(record, new FieldSealer(sealer));
    }

    /** {@link #encrypt(GenericRecord)}, sealing with {@code sealed} (a record whose key and value share headers). */
    public Result encrypt(GenericRecord record, FieldSealer sealed) {
        if (record == null) {
            return new Result(null, sealed.record());
        }
        Schema out = outputSchema(record.getSchema());
        return new Result(sealRecord(record, out, selection, sealed), sealed.record());
    }

    /** The schema records of {@code schema} get when encrypted (cached). */
    public Schema outputSchema(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Avro value schema is " + schema.getType() + ", not a record: only "
                    + "records have fields to encrypt.");
        }
        return schemaCache.get(schema, s -> recordSchema(s, selection));
    }

    // ---- schemas -------------------------------------------------------------------------------

    private Schema recordSchema(Schema s, FieldSelection node) {
        List<Schema.Field> fields = new ArrayList<>(s.getFields().size());
        for (Schema.Field f : s.getFields()) {
            FieldSelection n = child(node, f.name());
            if (n == null || AvroEncryptedSchemas.isEncrypted(f)) {
                fields.add(new Schema.Field(f, f.schema()));
            } else if (n.selected() && !n.eachElement()) {
                fields.add(AvroEncryptedSchemas.encryptedField(f));
            } else {
                fields.add(new Schema.Field(f, inner(f.schema(), n)));
            }
        }
        return AvroEncryptedSchemas.copyRecord(s, fields);
    }

    /** The schema of a value (at node {@code n}) below which something is selected. */
    private Schema inner(Schema fs, FieldSelection n) {
        if (fs.getType() == Schema.Type.UNION) {
            return mapBranches(fs, b -> inner(b, n));
        }
        if (n.eachElement() && (fs.getType() == Schema.Type.ARRAY || fs.getType() == Schema.Type.MAP)) {
            Schema el = fs.getType() == Schema.Type.ARRAY ? fs.getElementType() : fs.getValueType();
            Schema newEl = n.selected() ? AvroEncryptedSchemas.encryptedElement(el) : element(el, n);
            Schema out = fs.getType() == Schema.Type.ARRAY ? Schema.createArray(newEl) : Schema.createMap(newEl);
            fs.getObjectProps().forEach(out::addProp);
            return out;
        }
        if (!n.eachElement() && fs.getType() == Schema.Type.RECORD) {
            return recordSchema(fs, n);
        }
        throw new IllegalArgumentException("Field path '" + n.path() + "' goes through a " + fs.getType()
                + (n.eachElement() ? "; [*] applies to arrays and maps." : "; only records have named fields."));
    }

    /** The schema of an element of a [*] node whose fields are selected. */
    private Schema element(Schema el, FieldSelection n) {
        if (el.getType() == Schema.Type.UNION) {
            return mapBranches(el, b -> element(b, n));
        }
        if (el.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("Field path '" + n.path() + ".…' selects fields of " + el.getType()
                    + " elements; only record elements have fields.");
        }
        return recordSchema(el, n);
    }

    private static Schema mapBranches(Schema union, java.util.function.UnaryOperator<Schema> f) {
        List<Schema> branches = new ArrayList<>(union.getTypes().size());
        for (Schema b : union.getTypes()) {
            branches.add(b.getType() == Schema.Type.NULL ? b : f.apply(b));
        }
        return Schema.createUnion(branches);
    }

    // ---- values --------------------------------------------------------------------------------

    private GenericRecord sealRecord(GenericRecord in, Schema outSchema, FieldSelection node, FieldSealer sealed) {
        GenericData.Record out = new GenericData.Record(outSchema);
        for (Schema.Field f : in.getSchema().getFields()) {
            Object v = in.get(f.pos());
            FieldSelection n = child(node, f.name());
            Schema.Field of = outSchema.getField(f.name());
            if (n == null || v == null || AvroEncryptedSchemas.isEncrypted(f)) {
                out.put(of.pos(), v);
            } else if (n.selected() && !n.eachElement()) {
                out.put(of.pos(), ciphertext(f.schema(), v, n, sealed));
            } else {
                out.put(of.pos(), sealInner(f.schema(), v, of.schema(), n, sealed));
            }
        }
        return out;
    }

    private Object sealInner(Schema schema, Object v, Schema outSchema, FieldSelection n, FieldSealer sealed) {
        if (schema.getType() == Schema.Type.UNION) {
            int i = GenericData.get().resolveUnion(schema, v);
            Schema branch = schema.getTypes().get(i);
            return branch.getType() == Schema.Type.NULL ? v
                    : sealInner(branch, v, outSchema.getTypes().get(i), n, sealed);
        }
        switch (schema.getType()) {
            case ARRAY: {
                Collection<?> list = (Collection<?>) v;
                List<Object> out = new ArrayList<>(list.size());
                for (Object e : list) {
                    out.add(sealElement(schema.getElementType(), e, outSchema.getElementType(), n, sealed));
                }
                return new GenericData.Array<>(outSchema, out);
            }
            case MAP: {
                Map<Object, Object> out = new LinkedHashMap<>();
                ((Map<?, ?>) v).forEach((k, e) -> out.put(k,
                        sealElement(schema.getValueType(), e, outSchema.getValueType(), n, sealed)));
                return out;
            }
            default:
                return sealRecord((GenericRecord) v, outSchema, n, sealed);
        }
    }

    private Object sealElement(Schema el, Object e, Schema outEl, FieldSelection n, FieldSealer sealed) {
        if (e == null) {
            return null;
        }
        if (n.selected()) {
            return ciphertext(el, e, n, sealed);
        }
        if (el.getType() == Schema.Type.UNION) {
            int i = GenericData.get().resolveUnion(el, e);
            return sealElement(el.getTypes().get(i), e, outEl.getTypes().get(i), n, sealed);
        }
        return sealRecord((GenericRecord) e, outEl, n, sealed);
    }

    private Object ciphertext(Schema schema, Object v, FieldSelection n, FieldSealer sealed) {
        return sealed.seal(v, n, x -> codec.encode(schema, x), false);
    }

    private static FieldSelection child(FieldSelection node, String name) {
        FieldSelection n = node.field(name);
        return n != null ? n : node.each(name);
    }
}
