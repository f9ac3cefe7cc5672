package dev.fieldseal.serde;

import dev.fieldseal.record.WholeValue;

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

    public static final String FORMAT_JSON = "json";
    public static final String FORMAT_AVRO = "avro";
    public static final String FORMAT_STRING = "string";
    public static final String ON_FAILURE_FAIL = FieldsealConfig.ON_FAILURE_FAIL;
    public static final String ON_FAILURE_CIPHERTEXT = FieldsealConfig.ON_FAILURE_CIPHERTEXT;
    public static final String ON_FAILURE_MASK = FieldsealConfig.ON_FAILURE_MASK;

    private static final String GROUP = "Serde";

    public static final ConfigDef CONFIG_DEF = new ConfigDef(FieldsealConfig.CONFIG_DEF)
            .define(FORMAT, Type.STRING, FORMAT_JSON, ValidString.in(FORMAT_JSON, FORMAT_AVRO, FORMAT_STRING),
                    Importance.HIGH,
                    "Record value (or key) format: 'json' (a JSON object, from any producer or Connect's "
                            + "JsonConverter with or without embedded schema), 'avro' (Avro single-object encoding "
                            + "of a GenericRecord), 'string' (the whole value is one encrypted value, bound to the "
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
                    "Deserializer, format 'avro': .avsc files of the writers' schemas, comma-separated. Each may be "
                            + "a plaintext schema (with " + FieldsealConfig.FIELDS + " set as on the producer, its "
                            + "encrypted form is derived) or an already encrypted schema. Records name their writer "
                            + "schema by its single-object-encoding fingerprint.",
                    GROUP, 5, ConfigDef.Width.LONG, "Avro schema files");

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
