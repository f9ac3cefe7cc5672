package dev.fieldseal.streams;

import dev.fieldseal.field.FieldPath;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * One configured route: where records come from and go to, which fields it handles and how
 * values are encoded.
 *
 * @param name the route name (from {@code fieldseal.routes})
 * @param topics input topics, or empty when {@code pattern} is set
 * @param pattern input topic pattern, or null
 * @param output output topic
 * @param fields the route's field paths (may be empty outside encrypt mode)
 * @param format {@code json} or {@code avro}
 * @param inputSchema Avro: the writer schema of input values; null for JSON
 * @param plainSchema Avro: the plaintext schema (for encrypt: the input schema), or null if unknown
 */
public record Route(String name, List<String> topics, Pattern pattern, String output, List<FieldPath> fields,
        List<FieldPath> deterministicFields, String format, Schema inputSchema, Schema plainSchema) {

    public boolean avro() {
        return StreamsAppConfig.FORMAT_AVRO.equals(format);
    }

    /** Every configured path, randomized and deterministic: what a dead-lettered value loses. */
    public List<FieldPath> allFields() {
        List<FieldPath> all = new java.util.ArrayList<>(fields);
        all.addAll(deterministicFields);
        return all;
    }
}
