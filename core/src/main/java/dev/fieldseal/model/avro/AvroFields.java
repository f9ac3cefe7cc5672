package dev.fieldseal.model.avro;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.keyselect.RecordFields;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** An Avro record as a key template reads it: fields of nested (and nullable) records by path. */
public final class AvroFields implements RecordFields {

    private final GenericRecord record;

    private AvroFields(GenericRecord record) {
        this.record = record;
    }

    public static RecordFields of(GenericRecord record) {
        return new AvroFields(record);
    }

    @Override
    public Object at(FieldPath path) {
        if (path == null) {
            return null; // a record is not a scalar
        }
        Object at = record;
        for (FieldPath.Segment seg : path.segments()) {
            if (!(at instanceof GenericRecord r)) {
                return null;
            }
            Schema.Field f = r.getSchema().getField(seg.name());
            at = f == null ? null : r.get(f.pos());
        }
        return at instanceof GenericRecord ? at.getClass() : at;
    }
}
