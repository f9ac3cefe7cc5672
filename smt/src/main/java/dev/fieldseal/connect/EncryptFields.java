package dev.fieldseal.connect;

import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.model.connect.ConnectEncryptor;
import dev.fieldseal.model.connect.ConnectFields;
import dev.fieldseal.value.FieldSealer;
import dev.fieldseal.rotation.RotationEventsListener;
import dev.fieldseal.rotation.RotationEventsSettings;
import dev.fieldseal.rotation.SealerRefresh;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Encrypts the configured fields of a record's key ({@link Key}) or value ({@link Value}) with
 * envelope encryption, and adds the {@code fieldseal.kek.id} / {@code fieldseal.kek.version}
 * headers (and {@code fieldseal.edek} under header placement).
 *
 * <p>Structs with a schema and schemaless maps; nested fields, {@code [*]} over array elements and
 * map values, single map keys. Tombstones and null fields pass untouched; a configured field absent
 * from a record is skipped; values that are already fieldseal ciphertext are left alone. Any
 * failure throws, so a record is never emitted with a configured field still in plaintext:
 * Key Vault outages as {@link org.apache.kafka.connect.errors.RetriableException}, the rest as
 * {@link org.apache.kafka.connect.errors.DataException}.
 *
 * <p>The {@code $Key} and {@code $Value} transforms of one record share its headers: one
 * {@code fieldseal.kek.id} and one {@code fieldseal.kek.version} naming what both used, and an
 * EDEK header each. With {@code rotation.events.topic} (and its
 * {@code rotation.events.consumer.bootstrap.servers}) set, a rotation event for the key makes the
 * next record use the new version.
 */
public abstract class EncryptFields<R extends ConnectRecord<R>> implements Transformation<R>, Versioned, Monitorable {

    public static final String OVERVIEW_DOC = "Encrypt the fields named in <code>fields</code> (randomized, AES-256-GCM) "
            + "and <code>deterministic.fields</code> (AES-SIV) of the record "
            + "key (<code>" + Key.class.getName() + "</code>) or value (<code>" + Value.class.getName() + "</code>) "
            + "with data keys wrapped by the Key Vault key <code>kek.id</code>. Adds the headers fieldseal.kek.id and "
            + "fieldseal.kek.version.";

    public static final ConfigDef CONFIG_DEF = TransformConfigs.ENCRYPT;

    private final FieldsealMetrics metrics = new FieldsealMetrics();
    private Sealer sealer;
    private ConnectEncryptor encryptor;
    private RotationEventsListener rotationEvents;

    @Override
    public void configure(Map<String, ?> props) {
        FieldsealConfig config = new FieldsealConfig(props);
        String kekId = config.requireKekId();
        if (config.fields().isEmpty() && config.deterministicFields().isEmpty()) {
            throw new ConfigException(FieldsealConfig.FIELDS, "", getClass().getName().replace('$', '.') + " has "
                    + "nothing to encrypt: list the field paths in fields (or deterministic.fields), e.g. "
                    + "fields=ssn,address.street,cards[*].number");
        }
        dev.fieldseal.keyselect.KeySelection.of(config).refuseSealedFields(this instanceof Key
                ? dev.fieldseal.keyselect.KekTemplate.Source.KEY : dev.fieldseal.keyselect.KekTemplate.Source.VALUE,
                FieldSelection.of(config.fields(), config.deterministicFields()));
        RotationEventsSettings events = RotationEventsSettings.of(config);
        events.requireOwnBootstrap(); // a transform gets none of the worker's Kafka settings
        long startedAt = System.currentTimeMillis(); // before the key is resolved: no event in between is missed
        Sealer s = Sealer.create(config, metrics);
        try {
            s.warmUp();
            rotationEvents = events.start(Map.of(), startedAt, new SealerRefresh(s, metrics));
        } catch (RuntimeException e) {
            s.close();
            if (e instanceof ConfigException) {
                throw e;
            }
            throw ConnectFailures.onStart(getClass().getSimpleName(), kekId, e);
        }
        sealer = s;
        encryptor = new ConnectEncryptor(s, FieldSelection.of(config.fields(), config.deterministicFields()),
                new ConnectValueCodec(), config.bytesOutput());
    }

    @Override
    public R apply(R record) {
        Object value = operatingValue(record);
        if (value == null) {
            return record; // tombstones (and null keys) pass untouched
        }
        ConnectEncryptor.Result r;
        try {
            // the record's key: kek.id's, or the one its template names for this record's topic, key and value
            FieldSealer fields = FieldSealer.forRecord(sealer, record.topic(), ConnectFields.of(record.key()),
                    ConnectFields.of(record.value()));
            r = encryptor.encrypt(operatingSchema(record), value, fields);
        } catch (RuntimeException e) {
            metrics.failure("record");
            throw ConnectFailures.onRecord("Cannot encrypt " + where(record), e);
        }
        Headers headers = record.headers().duplicate();
        if (r.sealed().fields() > 0) {
            metrics.recordEncrypted(r.sealed().fields());
            r.sealed().headers(true).forEach((name, bytes) -> add(headers, name, bytes));
        }
        return newRecord(record, r.schema(), r.value(), headers);
    }

    /**
     * Adds one of this transform's headers next to what the other transform of the record (key or
     * value) added: the key id and version headers are merged into one of each, naming both; the
     * EDEK list is added unless an equal one is there. The key id and version are text, so the
     * worker's default SimpleHeaderConverter writes them as plain UTF-8, byte for byte what the
     * serializer and the Streams app write; the EDEK list is bytes (base64 text under
     * SimpleHeaderConverter, raw under ByteArrayConverter; both are read back).
     */
    private static void add(Headers headers, String name, byte[] bytes) {
        if (SealedRecord.isMergedHeader(name) && headers.lastWithName(name) == null) {
            headers.addString(name, new String(bytes, StandardCharsets.UTF_8)); // the first transform of the record
            return;
        }
        if (SealedRecord.isMergedHeader(name)) {
            List<String> existing = new ArrayList<>(1);
            for (Header h : headers) {
                if (h.key().equals(name) && h.value() != null) {
                    existing.add(h.value() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                            : h.value().toString());
                }
            }
            headers.remove(name);
            headers.addString(name, SealedRecord.mergeHeader(existing, new String(bytes, StandardCharsets.UTF_8)));
            return;
        }
        for (Header h : headers) {
            if (h.key().equals(name) && Objects.deepEquals(h.value(), bytes)) {
                return;
            }
        }
        headers.addBytes(name, bytes);
    }

    private String where(R record) {
        return (this instanceof Key ? "key" : "value") + " of a record for topic " + record.topic()
                + (record.kafkaPartition() == null ? "" : " partition " + record.kafkaPartition());
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public String version() {
        return PluginVersion.VERSION;
    }

    @Override
    public void withPluginMetrics(PluginMetrics pluginMetrics) {
        TransformMetrics.register(pluginMetrics, metrics, true);
    }

    /** The counters of this instance (also published through the worker's JMX). */
    public FieldsealMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (rotationEvents != null) {
            rotationEvents.close();
            rotationEvents = null;
        }
        if (sealer != null) {
            sealer.close();
            sealer = null;
        }
        encryptor = null;
    }

    protected abstract Schema operatingSchema(R record);

    protected abstract Object operatingValue(R record);

    protected abstract R newRecord(R record, Schema updatedSchema, Object updatedValue, Headers headers);

    /** Encrypts fields of the record key. Use {@code deterministic.fields} to keep partitioning and compaction. */
    public static final class Key<R extends ConnectRecord<R>> extends EncryptFields<R> {
        @Override
        protected Schema operatingSchema(R record) {
            return record.keySchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.key();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue, Headers headers) {
            return record.newRecord(record.topic(), record.kafkaPartition(), updatedSchema, updatedValue,
                    record.valueSchema(), record.value(), record.timestamp(), headers);
        }
    }

    /** Encrypts fields of the record value. */
    public static final class Value<R extends ConnectRecord<R>> extends EncryptFields<R> {
        @Override
        protected Schema operatingSchema(R record) {
            return record.valueSchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.value();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue, Headers headers) {
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    updatedSchema, updatedValue, record.timestamp(), headers);
        }
    }
}
