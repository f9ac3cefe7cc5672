package dev.fieldseal.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Arrays;

/**
 * JSON Schema payloads in the Confluent wire format over a {@link SchemaRegistryClient}: magic byte
 * {@code 0}, the schema id, then the JSON text as it is. Schemas and frames only, as
 * {@link RegistryAvro} is for Avro: the JSON walkers do the fields, {@code model.json} derives the
 * encrypted schema.
 *
 * <p>Parsed schemas are cached by id (bounded); ids by subject and schema text are cached by the
 * client. Thread-safe.
 */
public final class RegistryJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryClient client;
    private final SubjectNameStrategy strategy;
    private final boolean isKey;
    private final Cache<Integer, JsonNode> schemas;

    public RegistryJson(SchemaRegistryClient client, SubjectNameStrategy strategy, boolean isKey, int capacity) {
        this.client = client;
        this.strategy = strategy;
        this.isKey = isKey;
        this.schemas = Caffeine.newBuilder().maximumSize(capacity).build();
    }

    /** From registry settings: a client of its own, the key or value subject strategy. */
    public static RegistryJson of(RegistryConfig config, boolean isKey) {
        return new RegistryJson(SchemaRegistryClient.create(config), config.strategy(isKey), isKey,
                config.getInt(RegistryConfig.CACHE_CAPACITY));
    }

    public SchemaRegistryClient client() {
        return client;
    }

    /**
     * The subject {@code schema} is registered under for {@code topic}; the record strategies name it
     * by the schema's {@code title}, as Confluent's JSON Schema serializer does.
     */
    public String subject(String topic, JsonNode schema) {
        return strategy.subject(topic, isKey, schema.path("title").isTextual() ? schema.get("title").asText() : null);
    }

    /**
     * The schema id of a framed value.
     *
     * @throws IllegalArgumentException if the value is not in the Confluent wire format
     */
    public static int id(byte[] data) {
        if (!ConfluentFraming.framed(data)) {
            throw new IllegalArgumentException("Value is not in the Confluent wire format (magic byte 0 and a 4-byte "
                    + "schema id): " + (data.length < ConfluentFraming.HEADER_LENGTH ? "shorter than 5 bytes."
                    : "it starts with byte " + (data[0] & 0xFF) + "."));
        }
        return ConfluentFraming.schemaId(data);
    }

    /** The JSON text of a framed value (after its 5-byte header). */
    public static byte[] payload(byte[] data) {
        id(data);
        return Arrays.copyOfRange(data, ConfluentFraming.HEADER_LENGTH, data.length);
    }

    /** {@code json} framed with {@code id}. */
    public static byte[] frame(int id, byte[] json) {
        byte[] out = new byte[ConfluentFraming.HEADER_LENGTH + json.length];
        out[0] = ConfluentFraming.MAGIC;
        out[1] = (byte) (id >>> 24);
        out[2] = (byte) (id >>> 16);
        out[3] = (byte) (id >>> 8);
        out[4] = (byte) id;
        System.arraycopy(json, 0, out, ConfluentFraming.HEADER_LENGTH, json.length);
        return out;
    }

    /**
     * The JSON Schema with this id (cached; one registry call per distinct id).
     *
     * @throws IllegalArgumentException if the id names a schema that is not a JSON Schema
     * @throws RegistryException if the registry cannot say what the id is
     */
    public JsonNode schema(int id) {
        return schemas.get(id, i -> {
            SchemaRegistryClient.Registered s = client.schemaById(i);
            if (!SchemaRegistryClient.JSON_SCHEMA.equals(s.type())) {
                throw new IllegalArgumentException("Schema id " + i + " in " + client.registry() + " is a "
                        + s.type() + " schema, not a JSON Schema.");
            }
            try {
                return JSON.readTree(s.schema());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("Schema id " + i + " in " + client.registry()
                        + " is not valid JSON.");
            }
        });
    }

    /** The id of {@code schema} under its subject for {@code topic}: registered or looked up once, then cached. */
    public int idFor(String topic, JsonNode schema) {
        String text;
        try {
            text = JSON.writeValueAsString(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int id = client.idFor(subject(topic, schema), SchemaRegistryClient.JSON_SCHEMA, text);
        schemas.asMap().putIfAbsent(id, schema);
        return id;
    }
}
