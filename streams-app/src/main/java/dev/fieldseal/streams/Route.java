package dev.fieldseal.streams;

import dev.fieldseal.field.FieldPath;
import dev.fieldseal.model.json.ConfluentJson;
import dev.fieldseal.registry.RegistryAvro;
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
 * @param key how record keys are sealed (encrypt mode) or which key fields are opened (decrypt mode)
 * @param registry {@code avro-confluent}: the Schema Registry framing of values (shared, thread-safe); else null
 * @param confluentJson {@code json-confluent}: the schema ids of sealed and opened values (thread-safe); else null
 */
public record Route(String name, List<String> topics, Pattern pattern, String output, List<FieldPath> fields,
        List<FieldPath> deterministicFields, String format, Schema inputSchema, Schema plainSchema, KeySealing key,
        RegistryAvro registry, ConfluentJson confluentJson) {

    /**
     * @param format {@code none}, {@code string} (the whole key) or {@code json} (fields of JSON keys)
     * @param fields the key's field paths for {@code json}
     * @param deterministic AES-SIV (the default, keeps equal keys equal) rather than AES-GCM
     */
    public record KeySealing(String format, List<FieldPath> fields, boolean deterministic) {
        public static final KeySealing NONE = new KeySealing(StreamsAppConfig.KEY_FORMAT_NONE, List.of(), true);

        public boolean none() {
            return StreamsAppConfig.KEY_FORMAT_NONE.equals(format);
        }

        public boolean whole() {
            return StreamsAppConfig.FORMAT_STRING.equals(format);
        }
    }

    public boolean avro() {
        return StreamsAppConfig.FORMAT_AVRO.equals(format);
    }

    /** Avro in the Confluent wire format, schemas from the registry. */
    public boolean registryAvro() {
        return StreamsAppConfig.FORMAT_AVRO_CONFLUENT.equals(format);
    }

    /** JSON in the Confluent wire format, JSON Schemas from the registry. */
    public boolean registryJson() {
        return StreamsAppConfig.FORMAT_JSON_CONFLUENT.equals(format);
    }

    /** Whole-value mode: the value is one encrypted value. */
    public boolean whole() {
        return StreamsAppConfig.FORMAT_STRING.equals(format);
    }

    /** Whether the route writes back into a topic it reads (re-keying a compacted topic in place). */
    public boolean writesToItsInput() {
        return pattern != null ? pattern.matcher(output).matches() : topics.contains(output);
    }

    /** Every configured path, randomized and deterministic: what a dead-lettered value loses. */
    public List<FieldPath> allFields() {
        List<FieldPath> all = new java.util.ArrayList<>(fields);
        all.addAll(deterministicFields);
        return all;
    }
}
