package dev.fieldseal.codec;

/** A decoded Avro value: the field's schema and its datum in Avro's generic representation. */
public record AvroValue(org.apache.avro.Schema schema, Object datum) {
}
