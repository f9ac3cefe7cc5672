package dev.fieldseal.model.connect;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.keyselect.RecordFields;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/** A Connect key or value (a Struct, a schemaless map, or a scalar) as a key template reads it. */
public final class ConnectFields implements RecordFields {

    private final Object value;

    private ConnectFields(Object value) {
        this.value = value;
    }

    public static RecordFields of(Object value) {
        return new ConnectFields(value);
    }

    @Override
    public Object at(FieldPath path) {
        if (path == null) {
            return value instanceof Struct || value instanceof Map ? null : value;
        }
        Object at = value;
        for (FieldPath.Segment seg : path.segments()) {
            if (at instanceof Struct s) {
                Field f = s.schema().field(seg.name());
                at = f == null ? null : s.get(f);
            } else if (at instanceof Map<?, ?> m) {
                at = m.get(seg.name());
            } else {
                return null;
            }
        }
        return at instanceof Struct || at instanceof Map || at instanceof Iterable ? at.getClass() : at;
    }
}
