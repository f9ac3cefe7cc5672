package dev.fieldseal.model.avro;

import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.Masks;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.field.PathFilter;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.SchemaMemo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Decrypts the encrypted fields of an Avro {@link GenericRecord} written with a schema derived by
 * {@link AvroEncryptor}, and restores the original schema from the encrypted fields' properties:
 * the decrypted record's schema {@code equals} the one the producer encrypted. With an empty
 * selection every encrypted field is decrypted; otherwise only the selected paths (the others keep
 * their encrypted schema and value). Output schemas are derived once per input schema and cached.
 *
 * <p>A failed value goes to the host's {@link OnFailure} (by default the record fails). A mask is
 * {@link Masks#avro} of the original field schema. A value the policy leaves sealed cannot sit
 * in a field whose restored schema has another type, so the whole record is then returned as it
 * was read, with its encrypted schema ({@link Result#leftSealed()} &gt; 0).
 */
public final class AvroDecryptor {

    private final Unsealer unsealer;
    private final PathFilter filter;
    private final AvroValueCodec codec;
    private final OnFailure onFailure;
    private final SchemaMemo<Schema, Schema> schemaCache = new SchemaMemo<>(256);

    /** The decrypted record, how many values were decrypted, and how many were left sealed. */
    public record Result(GenericRecord value, int fields, int leftSealed) {
        public Result(GenericRecord value, int fields) {
            this(value, fields, 0);
        }
    }

    public AvroDecryptor(Unsealer unsealer, FieldSelection selection, AvroValueCodec codec, OnFailure onFailure) {
        this.unsealer = unsealer;
        this.filter = new PathFilter(selection);
        this.codec = codec;
        this.onFailure = onFailure == null ? OnFailure.rethrow() : onFailure;
    }

    public AvroDecryptor(Unsealer unsealer, FieldSelection selection) {
        this(unsealer, selection, new AvroValueCodec(), null);
    }

    /** The schema records of {@code schema} get when decrypted (cached). */
    public Schema outputSchema(Schema schema) {
        return schemaCache.get(schema, s -> recordSchema(s, ""));
    }

    /** True if the schema (a record) has an encrypted field or element anywhere. */
    public static boolean hasEncryptedFields(Schema schema) {
        return schema.toString().contains("\"" + AvroEncryptedSchemas.MARKER + "\"");
    }

    public Result decrypt(GenericRecord record, Map<ByteBuffer, Edek> headerEdeks) {
        if (record == null) {
            return new Result(null, 0);
        }
        Schema out = outputSchema(record.getSchema());
        if (out == record.getSchema()) {
            return new Result(record, 0);
        }
        Walk w = new Walk(new FieldOpener(unsealer, headerEdeks, onFailure));
        try {
            return new Result(w.record(record, out, ""), w.opener.opened());
        } catch (LeaveSealed e) {
            return new Result(record, 0, 1);
        }
    }

    // ---- schemas -------------------------------------------------------------------------------

    private Schema recordSchema(Schema s, String path) {
        List<Schema.Field> fields = new ArrayList<>(s.getFields().size());
        boolean changed = false;
        for (Schema.Field f : s.getFields()) {
            String p = FieldPath.append(path, f.name(), false);
            Schema.Field nf;
            if (AvroEncryptedSchemas.isEncrypted(f)) {
                nf = filter.wanted(p) ? AvroEncryptedSchemas.originalField(f) : new Schema.Field(f, f.schema());
            } else {
                Schema fs = inner(f.schema(), path, f.name());
                nf = new Schema.Field(f, fs);
            }
            changed |= nf.schema() != f.schema() || AvroEncryptedSchemas.isEncrypted(f) && filter.wanted(p);
            fields.add(nf);
        }
        return changed ? AvroEncryptedSchemas.copyRecord(s, fields) : s;
    }

    private Schema inner(Schema fs, String parent, String name) {
        switch (fs.getType()) {
            case RECORD:
                return filter.mayContain(FieldPath.append(parent, name, false))
                        ? recordSchema(fs, FieldPath.append(parent, name, false)) : fs;
            case UNION: {
                List<Schema> branches = new ArrayList<>();
                boolean changed = false;
                for (Schema b : fs.getTypes()) {
                    Schema nb = inner(b, parent, name);
                    changed |= nb != b;
                    branches.add(nb);
                }
                return changed ? Schema.createUnion(branches) : fs;
            }
            case ARRAY:
            case MAP: {
                String each = FieldPath.append(parent, name, true);
                Schema el = fs.getType() == Schema.Type.ARRAY ? fs.getElementType() : fs.getValueType();
                Schema nel = element(el, each);
                if (nel == el) {
                    return fs;
                }
                Schema out = fs.getType() == Schema.Type.ARRAY ? Schema.createArray(nel) : Schema.createMap(nel);
                fs.getObjectProps().forEach(out::addProp);
                return out;
            }
            default:
                return fs;
        }
    }

    private Schema element(Schema el, String each) {
        if (AvroEncryptedSchemas.encryptedString(el) != null) {
            return filter.wanted(each) ? AvroEncryptedSchemas.originalSchema(
                    AvroEncryptedSchemas.encryptedString(el).getProp(AvroEncryptedSchemas.ORIGINAL_SCHEMA), each) : el;
        }
        if (el.getType() == Schema.Type.RECORD) {
            return filter.mayContain(each) ? recordSchema(el, each) : el;
        }
        if (el.getType() == Schema.Type.UNION) {
            List<Schema> branches = new ArrayList<>();
            boolean changed = false;
            for (Schema b : el.getTypes()) {
                Schema nb = b.getType() == Schema.Type.RECORD ? element(b, each) : b;
                changed |= nb != b;
                branches.add(nb);
            }
            return changed ? Schema.createUnion(branches) : el;
        }
        return el;
    }

    // ---- values --------------------------------------------------------------------------------

    private final class Walk {
        private final FieldOpener opener;

        Walk(FieldOpener opener) {
            this.opener = opener;
        }

        GenericRecord record(GenericRecord in, Schema outSchema, String path) {
            if (outSchema == in.getSchema()) {
                return in;
            }
            GenericData.Record out = new GenericData.Record(outSchema);
            for (Schema.Field f : in.getSchema().getFields()) {
                Object v = in.get(f.pos());
                Schema.Field of = outSchema.getField(f.name());
                String p = FieldPath.append(path, f.name(), false);
                if (v == null || of.schema() == f.schema()) {
                    out.put(of.pos(), v);
                } else if (AvroEncryptedSchemas.isEncrypted(f)) {
                    out.put(of.pos(), open(v, p, of.schema()));
                } else {
                    out.put(of.pos(), value(f.schema(), v, of.schema(), path, f.name()));
                }
            }
            return out;
        }

        private Object value(Schema schema, Object v, Schema outSchema, String parent, String name) {
            switch (schema.getType()) {
                case UNION: {
                    int i = GenericData.get().resolveUnion(schema, v);
                    Schema b = schema.getTypes().get(i);
                    return b.getType() == Schema.Type.NULL ? v : value(b, v, outSchema.getTypes().get(i), parent, name);
                }
                case RECORD:
                    return record((GenericRecord) v, outSchema, FieldPath.append(parent, name, false));
                case ARRAY: {
                    String each = FieldPath.append(parent, name, true);
                    List<Object> out = new ArrayList<>();
                    for (Object e : (Collection<?>) v) {
                        out.add(element(schema.getElementType(), e, outSchema.getElementType(), each));
                    }
                    return new GenericData.Array<>(outSchema, out);
                }
                case MAP: {
                    String each = FieldPath.append(parent, name, true);
                    Map<Object, Object> out = new LinkedHashMap<>();
                    ((Map<?, ?>) v).forEach((k, e) -> out.put(k,
                            element(schema.getValueType(), e, outSchema.getValueType(), each)));
                    return out;
                }
                default:
                    return v;
            }
        }

        private Object element(Schema el, Object e, Schema outEl, String each) {
            if (e == null || outEl == el) {
                return e;
            }
            if (AvroEncryptedSchemas.encryptedString(el) != null) {
                return open(e, each, outEl);
            }
            if (el.getType() == Schema.Type.UNION) {
                int i = GenericData.get().resolveUnion(el, e);
                return element(el.getTypes().get(i), e, outEl.getTypes().get(i), each);
            }
            return record((GenericRecord) e, outEl, each);
        }

        private Object open(Object v, String path, Schema original) {
            Object out = opener.open(v, path, plaintext -> codec.decode(plaintext).datum(),
                    maskText -> Masks.avro(original, maskText));
            if (out == v) {
                throw new LeaveSealed();
            }
            return out;
        }
    }

    /** Unwinds the walk when the policy leaves a value sealed: the record is returned as it was read. */
    private static final class LeaveSealed extends RuntimeException {
        LeaveSealed() {
            super(null, null, false, false);
        }
    }
}
