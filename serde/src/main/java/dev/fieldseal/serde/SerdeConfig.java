package dev.fieldseal.serde;

import dev.fieldseal.value.WholeValue;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.failure.Masks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Settings of {@link EncryptingSerializer} and {@link DecryptingDeserializer}: the shared
 * {@link FieldsealConfig} keys plus the serde-only ones below, all read from client properties
 * with the {@code fieldseal.} prefix. Documented in {@code docs/serde.md}.
 */
public final class SerdeConfig extends AbstractConfig {

    public static final String FORMAT = "format";
    public static final String INNER_SERIALIZER = "inner.serializer";
    public static final String INNER_DESERIALIZER = "inner.deserializer";
    /** The shared {@link FieldsealConfig#ON_FAILURE}, written {@code fieldseal.on.failure}. */
    public static final String ON_FAILURE = FieldsealConfig.ON_FAILURE;
    public static final String MASK_VALUE = "mask.value";
    public static final String AVRO_SCHEMA_FILE = "avro.schema.file";
    public static final String AVRO_SCHEMA = "avro.schema";
    public static final String AVRO_FRAMING = "avro.framing";
    public static final String AVRO_READER_SCHEMA = "avro.reader.schema";
    public static final String JSON_SCHEMA_FILE = "json.schema.file";

    public static final String FORMAT_JSON = "json";
    public static final String FORMAT_AVRO = "avro";
    public static final String FORMAT_STRING = "string";
    public static final String FORMAT_AVRO_CONFLUENT = "avro-confluent";
    public static final String FORMAT_JSON_CONFLUENT = "json-confluent";
    public static final String ON_FAILURE_FAIL = FieldsealConfig.ON_FAILURE_FAIL;
    public static final String ON_FAILURE_CIPHERTEXT = FieldsealConfig.ON_FAILURE_CIPHERTEXT;
    public static final String ON_FAILURE_MASK = FieldsealConfig.ON_FAILURE_MASK;
    public static final String AVRO_FRAMING_SINGLE_OBJECT = "single-object";
    public static final String AVRO_FRAMING_PLAIN = "plain";

    private static final String GROUP = "Serde";

    public static final ConfigDef CONFIG_DEF = new ConfigDef(FieldsealConfig.CONFIG_DEF)
            .define(FORMAT, Type.STRING, FORMAT_JSON,
                    ValidString.in(FORMAT_JSON, FORMAT_AVRO, FORMAT_AVRO_CONFLUENT, FORMAT_JSON_CONFLUENT, FORMAT_STRING),
                    Importance.HIGH,
                    "Record value (or key) format: 'json' (a JSON object, from any producer or Connect's "
                            + "JsonConverter with or without embedded schema), 'avro' (a GenericRecord, in Avro "
                            + "single-object encoding or plain binary: " + AVRO_FRAMING + ", " + AVRO_SCHEMA + "), "
                            + "'" + FORMAT_AVRO_CONFLUENT + "' (a GenericRecord in the Confluent wire format: magic "
                            + "byte 0, the schema id, Avro binary; schemas in the Schema Registry of "
                            + "schema.registry.url, the encrypted schema registered under the subject), "
                            + "'" + FORMAT_JSON_CONFLUENT + "' (JSON in the Confluent wire format: magic byte 0, the "
                            + "id of a JSON Schema, JSON text; the serializer takes such framed bytes, or JSON with "
                            + JSON_SCHEMA_FILE + ", and registers the encrypted JSON Schema; the deserializer hands "
                            + "on the plaintext JSON), "
                            + "'string' (the whole value is one encrypted value, bound to the "
                            + "path '" + WholeValue.PATH + "').",
                    GROUP, 1, ConfigDef.Width.SHORT, "Format")
            .define(INNER_SERIALIZER, Type.CLASS, StringSerializer.class, Importance.MEDIUM,
                    "Serializer that turns the application's object into the plaintext bytes to encrypt (JSON text "
                            + "for 'json', any bytes for 'string'). Not used for JsonNode values, byte arrays, or "
                            + "'avro' (GenericRecord).",
                    GROUP, 2, ConfigDef.Width.LONG, "Inner serializer")
            .define(INNER_DESERIALIZER, Type.CLASS, StringDeserializer.class, Importance.MEDIUM,
                    "Deserializer that turns the decrypted bytes into the object handed to the application. "
                            + "'json': the decrypted JSON text; 'string': the decrypted bytes; 'avro': only if set, "
                            + "the decrypted record in Avro single-object encoding (otherwise the GenericRecord "
                            + "itself is returned).",
                    GROUP, 3, ConfigDef.Width.LONG, "Inner deserializer")
            .define(MASK_VALUE, Type.STRING, null, Importance.LOW,
                    "Deserializer, " + ON_FAILURE + "=mask: the text that replaces a value that cannot be "
                            + "decrypted. JSON values become this text (unset: null); string fields of Avro records "
                            + "too (unset: '" + Masks.TEXT + "'); other Avro types get their own mask (see 'Failure "
                            + "policy' in docs/operations.md).",
                    GROUP, 4, ConfigDef.Width.MEDIUM, "Mask value")
            .define(AVRO_SCHEMA_FILE, Type.LIST, List.of(), Importance.MEDIUM,
                    "Deserializer, format 'avro': .avsc files of the writers' schemas, comma-separated, for values "
                            + "in single-object encoding, which name their writer schema by its fingerprint. Each may be "
                            + "a plaintext schema (with " + FieldsealConfig.FIELDS + " set as on the producer, its "
                            + "encrypted form is derived) or an already encrypted schema.",
                    GROUP, 5, ConfigDef.Width.LONG, "Avro schema files")
            .define(AVRO_SCHEMA, Type.STRING, null, Importance.MEDIUM,
                    "Deserializer, format 'avro': path of the .avsc that values in plain Avro binary (no framing, "
                            + "as the Streams app writes from plain input, or the serializer with " + AVRO_FRAMING
                            + "=" + AVRO_FRAMING_PLAIN + ") are written with; single-object encoded values naming "
                            + "it are read too. As the Streams route's avro.schema: a plaintext schema is read in its "
                            + "encrypted form derived with " + FieldsealConfig.FIELDS + " (set as on the writer), a "
                            + "schema with encrypted fields as it is. Format 'avro' needs this or "
                            + AVRO_SCHEMA_FILE + ".",
                    GROUP, 6, ConfigDef.Width.LONG, "Avro schema (plain binary)")
            .define(AVRO_FRAMING, Type.STRING, AVRO_FRAMING_SINGLE_OBJECT,
                    ValidString.in(AVRO_FRAMING_SINGLE_OBJECT, AVRO_FRAMING_PLAIN), Importance.LOW,
                    "Serializer, format 'avro': '" + AVRO_FRAMING_SINGLE_OBJECT + "' writes Avro single-object "
                            + "encoding (C3 01, the encrypted schema's fingerprint, the datum), so every value names "
                            + "its writer schema; '" + AVRO_FRAMING_PLAIN + "' writes the bare datum, which readers "
                            + "can only read with the writer schema configured (" + AVRO_SCHEMA + ", a Streams "
                            + "route's avro.schema).",
                    GROUP, 7, ConfigDef.Width.SHORT, "Avro framing")
            .define(AVRO_READER_SCHEMA, Type.STRING, null, Importance.LOW,
                    "Deserializer, formats 'avro' and '" + FORMAT_AVRO_CONFLUENT + "': path of an .avsc (a "
                            + "plaintext schema) that every decrypted record is resolved into by Avro's schema "
                            + "resolution, so an application on a newer compatible schema reads records written "
                            + "with older ones. Unset: records keep the writer's plaintext schema.",
                    GROUP, 8, ConfigDef.Width.LONG, "Avro reader schema")
            .define(JSON_SCHEMA_FILE, Type.STRING, null, Importance.MEDIUM,
                    "Serializer, format '" + FORMAT_JSON_CONFLUENT + "': path of the plaintext JSON Schema of values "
                            + "that are not already framed (a JsonNode, JSON bytes, or what the inner serializer "
                            + "writes); the encrypted schema derived from it is registered under the subject. "
                            + "Values already in the Confluent wire format use the schema their id names.",
                    GROUP, 9, ConfigDef.Width.LONG, "JSON Schema file");

    private final FieldsealConfig core;

    private SerdeConfig(Map<String, Object> stripped) {
        super(CONFIG_DEF, stripped, false);
        this.core = new FieldsealConfig(stripped);
    }

    /** Reads the {@code fieldseal.}-prefixed keys of client properties. */
    public static SerdeConfig fromPrefixed(Map<String, ?> props) {
        Map<String, Object> stripped = new HashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(FieldsealConfig.PREFIX)) {
                stripped.put(k.substring(FieldsealConfig.PREFIX.length()), v);
            }
        });
        return new SerdeConfig(stripped);
    }

    /** The shared settings, for the envelope. */
    public FieldsealConfig core() {
        return core;
    }

    public String format() {
        return getString(FORMAT);
    }

    public boolean isSet(String key) {
        return originals().containsKey(key);
    }
}
