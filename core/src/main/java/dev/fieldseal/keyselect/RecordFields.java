package dev.fieldseal.keyselect;

import dev.fieldseal.field.FieldPath;

/**
 * One side of a record (its key or its value) as a key template reads it: the value at a field
 * path, in whatever data model the host has. Each data model supplies its own view
 * ({@code model.connect.ConnectFields}, {@code model.json.JsonFields}, {@code model.avro.AvroFields}).
 */
@FunctionalInterface
public interface RecordFields {

    /** A side the host does not have (a value serializer never sees the record key). */
    RecordFields NONE = path -> null;

    /**
     * The value at {@code path}, or the whole key or value when {@code path} is null; null when it
     * is absent or null. Scalars as the data model holds them (String, Utf8, Long, Integer, ...).
     */
    Object at(FieldPath path);

    /** A key or value that is one scalar (a String key, say): it has no fields, only itself. */
    static RecordFields whole(Object value) {
        return path -> path == null ? value : null;
    }
}
