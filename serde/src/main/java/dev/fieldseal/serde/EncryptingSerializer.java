package dev.fieldseal.serde;

import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.value.WholeValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.keyselect.KekTemplate;
import dev.fieldseal.keyselect.KeySelection;
import dev.fieldseal.keyselect.RecordFields;
import dev.fieldseal.kms.KekRef;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.model.avro.AvroFields;
import dev.fieldseal.model.json.JsonFields;
import dev.fieldseal.model.json.JsonBytesEncryptor;
import dev.fieldseal.model.json.JsonEncryptor;
import dev.fieldseal.model.json.ConfluentJson;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.rotation.RotationEventsListener;
import dev.fieldseal.rotation.RotationEventsSettings;
import dev.fieldseal.rotation.SealerRefresh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A producer-side {@link Serializer} that encrypts the configured fields before the bytes leave
 * the producer and adds the {@code fieldseal.kek.id} / {@code fieldseal.kek.version} headers (and
 * {@code fieldseal.edek} under header placement). Fails closed: if a value cannot be encrypted the
 * send fails with a {@link SerializationException}; nothing is written in plaintext. Thread-safe.
 *
 * <p>Input per {@code fieldseal.format}: 'json' a {@link JsonNode}, a {@code byte[]} of JSON, or any
 * object the inner serializer (default String) turns into JSON text; 'avro' a {@link GenericRecord}
 * (written in Avro single-object encoding with its encrypted schema, or as plain binary under
 * {@code fieldseal.avro.framing=plain}); 'avro-confluent' a {@link GenericRecord}, written in the
 * Confluent wire format with the id of its encrypted schema, registered under the topic's subject in
 * {@code schema.registry.url}; 'json-confluent' bytes already in the Confluent wire format (a JSON
 * Schema's id, then JSON: what Confluent's JSON Schema serializer writes, as inner serializer) or
 * JSON as for 'json' with {@code fieldseal.json.schema.file}, written with the id of the encrypted
 * JSON Schema derived from the plaintext one; 'string' anything the inner
 * serializer turns into bytes, encrypted as one value.
 *
 * <p>The key and the value serializer of one record share its headers: {@code fieldseal.kek.id} and
 * {@code fieldseal.kek.version} end up naming what both used, and each adds its own
 * {@code fieldseal.edek}. With {@code fieldseal.rotation.events.topic} set, a rotation event for the
 * key makes the next value use the new version.
 */
public class EncryptingSerializer implements Serializer<Object>, Monitorable {

    private final FieldsealMetrics metrics = new FieldsealMetrics();
    private final ObjectMapper mapper = Json.mapper();
    private SerdeConfig config;
    /** {@code fieldseal.format}, read once: a config lookup per record is a hash lookup and a set insert. */
    private String format;
    private Sealer sealer;
    private Serializer<Object> inner;
    private JsonEncryptor json;
    private JsonBytesEncryptor jsonBytes;
    private AvroEncryptor avro;
    private AvroWire avroWire;
    /** avro-confluent: the registry framing (the encrypted schema registered under the subject). */
    private RegistryAvro registryAvro;
    /** json-confluent: the ids of encrypted JSON Schemas; the plaintext schema of unframed values, or null. */
    private ConfluentJson confluentJson;
    private JsonNode jsonSchema;
    private final Map<String, Integer> jsonSchemaIds = new ConcurrentHashMap<>();
    private final JsonValueCodec codec = new JsonValueCodec();
    private boolean headerPlacement;
    private boolean isKey;
    private RotationEventsListener rotationEvents;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        config = SerdeConfig.fromPrefixed(configs);
        format = config.format();
        FieldsealConfig core = config.core();
        FieldSelection selection = FieldSelection.of(core.fields(), core.deterministicFields());
        if (selection.isEmpty() && !SerdeConfig.FORMAT_STRING.equals(format)) {
            throw new ConfigException(FieldsealConfig.PREFIX + FieldsealConfig.FIELDS, "",
                    "Name the fields to encrypt (format " + format + "), e.g. fieldseal.fields=ssn,address.street.");
        }
        headerPlacement = core.headerPlacement();
        RotationEventsSettings events = RotationEventsSettings.of(core);
        long startedAt = System.currentTimeMillis(); // before the key is resolved: no event in between is missed
        inner = config.getConfiguredInstance(SerdeConfig.INNER_SERIALIZER, Serializer.class);
        inner.configure(configs, isKey);
        KeySelection keys = KeySelection.of(core);
        KekTemplate.Source other = isKey ? KekTemplate.Source.VALUE : KekTemplate.Source.KEY;
        if (keys.reads(other)) {
            throw new ConfigException(FieldsealConfig.PREFIX + FieldsealConfig.KEK_ID, core.kekId(), "The "
                    + (isKey ? "key" : "value") + " serializer sees only the record " + (isKey ? "key" : "value")
                    + ", so its key template can read ${topic} and ${" + (isKey ? "key" : "value") + "...} only: pick "
                    + "the key from a field of the " + (isKey ? "key" : "value") + ", or seal in the Streams app or "
                    + "a Connect transform, which see both.");
        }
        KekTemplate.Source own = isKey ? KekTemplate.Source.KEY : KekTemplate.Source.VALUE;
        if (SerdeConfig.FORMAT_STRING.equals(format) && keys.reads(own)) {
            throw new ConfigException(FieldsealConfig.PREFIX + FieldsealConfig.KEK_ID, core.kekId(), "Format string "
                    + "seals the whole " + (isKey ? "key" : "value") + ", so it cannot also name the key (the "
                    + "fieldseal.kek.id header would carry it in clear): use ${topic}, or a JSON/Avro field.");
        }
        keys.refuseSealedFields(own, selection);
        this.isKey = isKey;
        sealer = Sealer.create(core, metrics);
        json = new JsonEncryptor(sealer, selection, codec);
        jsonBytes = new JsonBytesEncryptor(sealer, selection, codec, mapper);
        avro = new AvroEncryptor(sealer, selection, new AvroValueCodec());
        avroWire = new AvroWire(SerdeConfig.AVRO_FRAMING_SINGLE_OBJECT.equals(config.getString(SerdeConfig.AVRO_FRAMING)));
        if (SerdeConfig.FORMAT_AVRO_CONFLUENT.equals(format)) {
            registryAvro = RegistryAvro.of(new RegistryConfig(configs), isKey);
        }
        if (SerdeConfig.FORMAT_JSON_CONFLUENT.equals(format)) {
            RegistryConfig registry = new RegistryConfig(configs);
            confluentJson = new ConfluentJson(RegistryJson.of(registry, isKey), selection,
                    registry.getInt(RegistryConfig.CACHE_CAPACITY));
            jsonSchema = readJsonSchema(config.getString(SerdeConfig.JSON_SCHEMA_FILE));
        }
        // Resolve the key and make a DEK now: a wrong kek.id or credential fails the producer at start.
        sealer.warmUp();
        rotationEvents = events.start(configs, startedAt, new SealerRefresh(sealer, metrics));
    }

    private JsonNode readJsonSchema(String file) {
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(Files.readString(Path.of(file.trim())));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(FieldsealConfig.PREFIX + SerdeConfig.JSON_SCHEMA_FILE, file,
                    "Cannot read a JSON Schema from it (" + e.getClass().getSimpleName() + ").");
        }
    }

    /**
     * json-confluent: the value framed with the id of its encrypted schema. Framed input names its
     * plaintext schema by id; other JSON has the configured schema file's.
     */
    private record Framed(byte[] bytes, SealedRecord sealed) {
    }

    private Framed confluentJson(String topic, Headers headers, Object data) {
        byte[] raw = data instanceof JsonNode n ? Json.bytes(mapper, n)
                : data instanceof byte[] b ? b : inner.serialize(topic, headers, data);
        int id;
        byte[] text;
        if (ConfluentFraming.framed(raw)) {
            id = confluentJson.sealedId(topic, RegistryJson.id(raw));
            text = RegistryJson.payload(raw);
        } else if (jsonSchema != null) {
            id = jsonSchemaIds.computeIfAbsent(topic, t -> confluentJson.sealedId(t, jsonSchema));
            text = raw;
        } else {
            throw new SerializationException("fieldseal: format " + SerdeConfig.FORMAT_JSON_CONFLUENT + " needs "
                    + "values framed with a JSON Schema id, or " + FieldsealConfig.PREFIX + SerdeConfig.JSON_SCHEMA_FILE
                    + " for plain JSON (topic '" + topic + "').");
        }
        FieldSealer fields = fields(topic, JsonFields.of(mapper, text));
        try {
            return new Framed(RegistryJson.frame(id, jsonBytes.encrypt(text, fields).value()), fields.record());
        } catch (IOException e) {
            throw Json.unreadable(topic, e);
        }
    }

    /** The record's sealer, under the key kek.id (or its template, reading what this serializer sees) picks. */
    private FieldSealer fields(String topic, RecordFields own) {
        return FieldSealer.forRecord(sealer, topic, isKey ? own : RecordFields.NONE, isKey ? RecordFields.NONE : own);
    }

    private JsonBytesEncryptor.Result jsonText(String topic, byte[] text, FieldSealer fields) {
        try {
            return jsonBytes.encrypt(text, fields);
        } catch (IOException e) {
            throw Json.unreadable(topic, e);
        }
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        return serialize(topic, null, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object data) {
        if (data == null) {
            return inner.serialize(topic, headers, null);
        }
        if (headerPlacement && headers == null) {
            throw new SerializationException("fieldseal: envelope.placement=header needs the record's headers, which "
                    + "this caller does not pass (topic '" + topic + "').");
        }
        byte[] out;
        SealedRecord sealed;
        try {
            switch (format) {
                case SerdeConfig.FORMAT_JSON: {
                    if (data instanceof JsonNode n) { // the application's own tree: encrypted in a copy
                        JsonEncryptor.Result r = json.encrypt(n, fields(topic, JsonFields.of(n)));
                        sealed = r.sealed();
                        out = Json.bytes(mapper, r.value());
                    } else { // JSON text: the envelopes are spliced in, every other byte kept as it was
                        byte[] text = data instanceof byte[] b ? b : inner.serialize(topic, headers, data);
                        JsonBytesEncryptor.Result r = jsonText(topic, text, fields(topic, JsonFields.of(mapper, text)));
                        sealed = r.sealed();
                        out = r.value();
                    }
                    break;
                }
                case SerdeConfig.FORMAT_AVRO:
                case SerdeConfig.FORMAT_AVRO_CONFLUENT: {
                    if (!(data instanceof GenericRecord rec)) {
                        throw new SerializationException("fieldseal: format " + format + " takes a GenericRecord, "
                                + "not a " + data.getClass().getName() + " (topic '" + topic + "').");
                    }
                    AvroEncryptor.Result r = avro.encrypt(rec, fields(topic, AvroFields.of(rec)));
                    sealed = r.sealed();
                    out = registryAvro != null ? registryAvro.write(topic, r.value()) : avroWire.write(r.value());
                    break;
                }
                case SerdeConfig.FORMAT_JSON_CONFLUENT: {
                    Framed f = confluentJson(topic, headers, data);
                    out = f.bytes();
                    sealed = f.sealed();
                    break;
                }
                default: {
                    byte[] plain = data instanceof byte[] b ? b : inner.serialize(topic, headers, data);
                    FieldSealer fields = fields(topic, RecordFields.NONE); // the whole value is sealed: never a key name
                    out = WholeValue.seal(fields, plain, false);
                    sealed = fields.record();
                    break;
                }
            }
        } catch (SerializationException e) {
            metrics.failure("encrypt");
            throw e;
        } catch (RuntimeException e) {
            metrics.failure("encrypt");
            // Messages of the walkers and the envelope name paths, types and keys, never values.
            throw new SerializationException("fieldseal: cannot encrypt a record for topic '" + topic + "' ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); it is not sent.", e);
        }
        if (sealed.fields() > 0) {
            metrics.recordEncrypted(sealed.fields());
            if (headers != null) {
                addHeaders(headers, sealed);
            }
        }
        return out;
    }

    /**
     * Adds this value's (or key's) headers without removing what the other serializer of the record
     * added: the key id and version headers are merged into one of each, the EDEK header is added.
     */
    private static void addHeaders(Headers headers, SealedRecord sealed) {
        sealed.headers().forEach((name, bytes) -> {
            if (!SealedRecord.isMergedHeader(name) || headers.lastHeader(name) == null) {
                headers.add(name, bytes); // the EDEK list, or the first sealer of this record
                return;
            }
            List<byte[]> existing = new ArrayList<>(1);
            for (Header h : headers.headers(name)) {
                existing.add(h.value());
            }
            headers.remove(name);
            headers.add(name, SealedRecord.mergeHeader(existing, bytes));
        });
    }

    /** Re-resolves the KEK now (e.g. on a Key Vault rotation event); the next value uses the newest version. */
    public CompletionStage<KekRef> refreshKek() {
        return sealer.refreshNow();
    }

    /** The counters of this instance (also published through the client's metrics). */
    public FieldsealMetrics metrics() {
        return metrics;
    }

    @Override
    public void withPluginMetrics(PluginMetrics pluginMetrics) {
        SerdeMetrics.register(pluginMetrics, metrics);
    }

    @Override
    public void close() {
        if (rotationEvents != null) {
            rotationEvents.close();
        }
        if (sealer != null) {
            sealer.close();
        }
        if (inner != null) {
            inner.close();
        }
    }
}
