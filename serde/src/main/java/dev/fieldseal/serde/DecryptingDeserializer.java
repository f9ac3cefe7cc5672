package dev.fieldseal.serde;

import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.WholeValue;

import dev.fieldseal.audit.AuditLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fieldseal.codec.AvroValueCodec;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.failure.FailurePolicy;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.avro.AvroDecryptor;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.model.json.JsonConverterForm;
import dev.fieldseal.model.json.JsonDecryptor;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.RegistryException;
import dev.fieldseal.rotation.ReaderNotice;
import dev.fieldseal.rotation.RotationEventsListener;
import dev.fieldseal.rotation.RotationEventsSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.json.JsonDeserializer;

/**
 * A consumer-side {@link Deserializer} that decrypts fieldseal values and hands the application
 * plaintext: {@code value.deserializer=dev.fieldseal.serde.DecryptingDeserializer} plus
 * {@code fieldseal.}-prefixed properties ({@code docs/serde.md}). Encrypted values are recognised
 * by their magic prefix (JSON, string) or by their writer schema (Avro), so it decrypts whatever
 * fieldseal encrypted without being told the field list. Only keys in {@code fieldseal.kek.allowed}
 * (default: the key of {@code fieldseal.kek.id}) are ever contacted. Thread-safe.
 */
public class DecryptingDeserializer implements Deserializer<Object>, Monitorable {

    private final FieldsealMetrics metrics = new FieldsealMetrics();
    private final ObjectMapper mapper = Json.mapper();
    private SerdeConfig config;
    /** {@code fieldseal.format}, read once: a config lookup per record is a hash lookup and a set insert. */
    private String format;
    private Unsealer unsealer;
    private Deserializer<Object> inner;
    private boolean innerForAvro;
    /** The inner deserializer is Kafka's JsonDeserializer: decrypt inside the tree it returns. */
    private boolean innerTree;
    /** {@code fieldseal.on.failure} with {@code fieldseal.mask.value}, mapped to SerializationException once. */
    private OnFailure onFailure;
    private JsonDecryptor json;
    private AvroDecryptor avro;
    private AvroWire avroWire;
    /** avro-confluent: the registry framing (writer schemas by id). */
    private RegistryAvro registryAvro;
    /** json-confluent: the registry framing (the writer's JSON Schema by id). */
    private RegistryJson registryJson;
    /** {@code fieldseal.avro.reader.schema}, or null. */
    private AvroReaderSchema readerSchema;
    /** One per thread, reset by each call: setting and removing a thread-local per record costs more. */
    private final ThreadLocal<Call> call = ThreadLocal.withInitial(Call::new);
    private RotationEventsListener rotationEvents;
    private AuditLog audit;

    /** Per-call state the failure messages need. */
    private static final class Call {
        String topic;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        config = SerdeConfig.fromPrefixed(configs);
        format = config.format();
        FieldsealConfig core = config.core();
        onFailure = new OnFailure(FailurePolicy.of(core.onFailure()), config.getString(SerdeConfig.MASK_VALUE), metrics,
                f -> SerdeFailures.onValue(call.get().topic, f));
        Map<String, String> who = new java.util.HashMap<>();
        putIfString(who, AuditLog.CLIENT_ID, configs.get("client.id"));
        putIfString(who, AuditLog.GROUP_ID, configs.get("group.id"));
        audit = AuditLog.start("deserializer", core, metrics, configs, who);
        unsealer = Unsealer.create(core, metrics);
        FieldSelection selection = FieldSelection.of(core.fields(), core.deterministicFields());
        innerForAvro = config.isSet(SerdeConfig.INNER_DESERIALIZER);
        inner = config.getConfiguredInstance(SerdeConfig.INNER_DESERIALIZER, Deserializer.class);
        inner.configure(configs, isKey);
        innerTree = ((Object) inner) instanceof JsonDeserializer; // (Object): the generic types are unrelated
        ConnectValueCodec connectCodec = new ConnectValueCodec();
        AvroValueCodec avroCodec = new AvroValueCodec();
        switch (format) {
            case SerdeConfig.FORMAT_JSON:
            case SerdeConfig.FORMAT_JSON_CONFLUENT:
                json = new JsonDecryptor(unsealer, selection, new JsonValueCodec(connectCodec, avroCodec), connectCodec,
                        new JsonConverterForm(mapper), onFailure);
                if (SerdeConfig.FORMAT_JSON_CONFLUENT.equals(format)) {
                    registryJson = RegistryJson.of(new RegistryConfig(configs), isKey);
                }
                break;
            case SerdeConfig.FORMAT_AVRO:
                avro = new AvroDecryptor(unsealer, selection, avroCodec, onFailure);
                avroWire = new AvroWire();
                AvroEncryptor derive = selection.isEmpty() ? null : new AvroEncryptor(null, selection, avroCodec);
                avroWire.registerFiles(config.getList(SerdeConfig.AVRO_SCHEMA_FILE), derive);
                if (config.getString(SerdeConfig.AVRO_SCHEMA) != null) {
                    avroWire.registerPlain(config.getString(SerdeConfig.AVRO_SCHEMA), derive);
                }
                if (!avroWire.hasSchemas()) {
                    throw new ConfigException(FieldsealConfig.PREFIX + SerdeConfig.AVRO_SCHEMA, null, "Format avro "
                            + "needs the writer schema: set " + FieldsealConfig.PREFIX + SerdeConfig.AVRO_SCHEMA
                            + " (plain Avro binary, and single-object encoding naming it) and/or "
                            + FieldsealConfig.PREFIX + SerdeConfig.AVRO_SCHEMA_FILE + " (single-object encoding).");
                }
                break;
            case SerdeConfig.FORMAT_AVRO_CONFLUENT:
                avro = new AvroDecryptor(unsealer, selection, avroCodec, onFailure);
                avroWire = new AvroWire();
                registryAvro = RegistryAvro.of(new RegistryConfig(configs), isKey);
                break;
            default:
                break;
        }
        readerSchema = AvroReaderSchema.of(config.getString(SerdeConfig.AVRO_READER_SCHEMA));
        rotationEvents = RotationEventsSettings.of(core).start(configs, System.currentTimeMillis(),
                new ReaderNotice(core, metrics, unsealer));
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return inner.deserialize(topic, headers, (byte[]) null);
        }
        Map<ByteBuffer, Edek> edeks;
        try {
            edeks = edeks(headers);
        } catch (DecryptionException e) {
            metrics.failure(FailureClass.MALFORMED.metricCause());
            throw new SerializationException("fieldseal: the " + EdekHeader.NAME + " header of a record from topic '"
                    + topic + "' is not a valid EDEK list (" + e.getMessage() + ")", e);
        }
        call.get().topic = topic;
        metrics.audit().at(topic, -1, -1); // a deserializer is told neither partition nor offset
        switch (format) {
            case SerdeConfig.FORMAT_JSON:
                return json(topic, headers, data, edeks);
            case SerdeConfig.FORMAT_JSON_CONFLUENT:
                return json(topic, headers, registryJsonPayload(topic, data), edeks);
            case SerdeConfig.FORMAT_AVRO:
            case SerdeConfig.FORMAT_AVRO_CONFLUENT:
                return avro(topic, headers, data, edeks);
            default:
                return whole(topic, headers, data, edeks);
        }
    }

    private Object json(String topic, Headers headers, byte[] data, Map<ByteBuffer, Edek> edeks) {
        if (innerTree) {
            return jsonTree(topic, headers, data, edeks);
        }
        JsonDecryptor.TextResult r;
        try {
            r = json.decryptText(data, mapper, edeks);
        } catch (IOException e) {
            throw Json.unreadable(topic, e);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unexpected(topic, e);
        }
        counted(r.fields());
        return inner.deserialize(topic, headers, r.value());
    }

    /**
     * Parsing once: the tree Kafka's JsonDeserializer returns is decrypted in place, which spares
     * writing the decrypted document and parsing it again (more than half the time otherwise).
     */
    private Object jsonTree(String topic, Headers headers, byte[] data, Map<ByteBuffer, Edek> edeks) {
        JsonNode doc = (JsonNode) inner.deserialize(topic, headers, data);
        JsonDecryptor.Result r;
        try {
            r = json.decryptInPlace(doc, edeks, value -> asInnerParsed(topic, value));
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unexpected(topic, e);
        }
        counted(r.fields());
        return r.value();
    }

    /** A decrypted value as the inner deserializer would have parsed it from the decrypted document. */
    private JsonNode asInnerParsed(String topic, JsonNode value) {
        if (value instanceof TextNode || value.isBoolean() || value.isNull()) {
            return value; // every parser builds these alike; numbers and containers depend on its settings
        }
        return (JsonNode) inner.deserialize(topic, Json.bytes(mapper, value));
    }

    private Object avro(String topic, Headers headers, byte[] data, Map<ByteBuffer, Edek> edeks) {
        GenericRecord encrypted = registryAvro != null ? registryRead(topic, data) : avroWire.read(topic, data);
        GenericRecord out;
        boolean leftSealed;
        try {
            // A value left sealed by on.failure=ciphertext: the record as read, with its encrypted schema.
            AvroDecryptor.Result r = avro.decrypt(encrypted, edeks);
            counted(r.fields());
            out = r.value();
            leftSealed = r.leftSealed() > 0;
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unexpected(topic, e);
        }
        // Only a record that was opened is resolved: one left sealed by the policy keeps its encrypted schema.
        if (readerSchema != null && !leftSealed) {
            out = readerSchema.resolve(topic, out);
        }
        if (!innerForAvro) {
            return out;
        }
        return inner.deserialize(topic, headers, avroWire.write(out));
    }

    /**
     * The record of a value in the Confluent wire format. A registry outage is retriable and says
     * so (the consumer retries the poll, nothing is handed on); an id the registry does not know, or a
     * value that is not framed, is a record this reader can never read.
     */
    private GenericRecord registryRead(String topic, byte[] data) {
        try {
            return registryAvro.read(data).record();
        } catch (RegistryException e) {
            metrics.failure(e.retriable() ? "registry-unavailable" : "registry-refused");
            throw new SerializationException("fieldseal: cannot read the writer schema of a record from topic '" + topic
                    + "': " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            metrics.failure(FailureClass.MALFORMED.metricCause());
            throw new SerializationException("fieldseal: a record from topic '" + topic + "' cannot be read as "
                    + SerdeConfig.FORMAT_AVRO_CONFLUENT + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JSON text of a value in the Confluent wire format, once the id is known to name a JSON
     * Schema; failures as {@link #registryRead}.
     */
    private byte[] registryJsonPayload(String topic, byte[] data) {
        try {
            registryJson.schema(RegistryJson.id(data));
            return RegistryJson.payload(data);
        } catch (RegistryException e) {
            metrics.failure(e.retriable() ? "registry-unavailable" : "registry-refused");
            throw new SerializationException("fieldseal: cannot read the writer schema of a record from topic '" + topic
                    + "': " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            metrics.failure(FailureClass.MALFORMED.metricCause());
            throw new SerializationException("fieldseal: a record from topic '" + topic + "' cannot be read as "
                    + SerdeConfig.FORMAT_JSON_CONFLUENT + ": " + e.getMessage(), e);
        }
    }

    private Object whole(String topic, Headers headers, byte[] data, Map<ByteBuffer, Edek> edeks) {
        String text = new String(data, StandardCharsets.US_ASCII);
        if (!EnvelopeLayout.hasTextMagic(text)) {
            return inner.deserialize(topic, headers, data); // not encrypted: passed through as it is
        }
        FieldOpener opener = new FieldOpener(unsealer, edeks, onFailure);
        Object opened = WholeValue.open(opener, (Object) text, plaintext -> plaintext, maskText -> maskText);
        counted(opener.opened());
        if (opened == text) {
            return inner.deserialize(topic, headers, data); // left sealed by the policy
        }
        if (opened == null) {
            return null;
        }
        byte[] plain = opened instanceof byte[] b ? b : ((String) opened).getBytes(StandardCharsets.UTF_8);
        return inner.deserialize(topic, headers, plain);
    }

    /** Not a value failure (those arrive as SerializationException): a record this reader cannot handle at all. */
    private SerializationException unexpected(String topic, RuntimeException e) {
        FailureClass c = FailureClass.of(e);
        metrics.failure(c == null ? "unexpected" : c.metricCause());
        String msg = e instanceof DecryptionException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException ? ": " + e.getMessage() : "";
        return new SerializationException("fieldseal: cannot decrypt a record from topic '" + topic + "' ("
                + e.getClass().getSimpleName() + msg + ")", e);
    }

    private void counted(int fields) {
        if (fields > 0) {
            metrics.recordDecrypted(fields);
        }
    }

    private static void putIfString(Map<String, String> who, String field, Object value) {
        if (value != null) {
            who.put(field, value.toString());
        }
    }

    private Map<ByteBuffer, Edek> edeks(Headers headers) {
        return unsealer.edeks(headers);
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
        if (unsealer != null) {
            unsealer.close();
        }
        if (inner != null) {
            inner.close();
        }
        if (audit != null) {
            audit.close(); // writes what is left
        }
    }
}
