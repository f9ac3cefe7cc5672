package dev.fieldseal.connect;

import dev.fieldseal.audit.AuditLog;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Unsealer;
import dev.fieldseal.failure.FailurePolicy;
import dev.fieldseal.failure.OnFailure;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.format.EdekHeader;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.connect.ConnectDecryptor;
import dev.fieldseal.value.FieldOpener;
import dev.fieldseal.value.WholeValue;
import dev.fieldseal.failure.Masks;
import dev.fieldseal.rotation.ReaderNotice;
import dev.fieldseal.rotation.RotationEventsListener;
import dev.fieldseal.rotation.RotationEventsSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Decrypts fieldseal values in a record's key ({@link Key}) or value ({@link Value}) and restores
 * the original values <em>and schemas</em> from the ciphertext and the encrypted fields' schema
 * parameters alone. {@code fields} limits which paths are decrypted (default: every fieldseal
 * value found). Only keys in {@code kek.allowed} (default: the key of {@code kek.id}) are
 * contacted. A value that cannot be decrypted is handled by {@code on.failure}: {@code fail} raises
 * {@link DataException} (so {@code errors.tolerance} and the dead-letter queue apply),
 * {@code ciphertext} passes it on sealed, {@code mask} replaces it with a masked value of its
 * original type; a Key Vault outage always raises
 * {@link org.apache.kafka.connect.errors.RetriableException}. Headers are left as they are.
 */
public abstract class DecryptFields<R extends ConnectRecord<R>> implements Transformation<R>, Versioned, Monitorable {

    public static final String OVERVIEW_DOC = "Decrypt fieldseal-encrypted fields of the record "
            + "key (<code>" + Key.class.getName() + "</code>) or value (<code>" + Value.class.getName() + "</code>), "
            + "restoring their original values and schemas. Only keys allowed by kek.allowed / kek.id are used.";

    public static final ConfigDef CONFIG_DEF = TransformConfigs.DECRYPT;

    private final FieldsealMetrics metrics = new FieldsealMetrics();
    private Unsealer unsealer;
    private ConnectDecryptor decryptor;
    private OnFailure onFailure;
    private RotationEventsListener rotationEvents;
    private AuditLog audit;
    /** The record being decrypted, for the failure messages (a transform instance runs on one task thread). */
    private R current;

    @Override
    public void configure(Map<String, ?> props) {
        FieldsealConfig config = new FieldsealConfig(props);
        String kekId = config.kekId();
        if ((kekId == null || kekId.isBlank()) && config.getList(FieldsealConfig.KEK_ALLOWED).isEmpty()) {
            throw new ConfigException(FieldsealConfig.KEK_ID, null, "Missing required configuration \"kek.id\": "
                    + getClass().getName().replace('$', '.') + " needs to know which keys it may use. Set kek.id to "
                    + "the encrypting side's key (e.g. https://<vault>.vault.azure.net/keys/<name>), or kek.allowed "
                    + "to a list of key ids or vault URLs ending in '/'.");
        }
        RotationEventsSettings events = RotationEventsSettings.of(config);
        events.requireOwnBootstrap(); // a transform gets none of the worker's Kafka settings
        // A transform is told neither its connector nor its task: they come with the plugin metrics.
        audit = AuditLog.start("connect", config, metrics, Map.of(),
                Map.of(AuditLog.TRANSFORM, getClass().getName()));
        try {
            unsealer = Unsealer.create(config, metrics);
        } catch (RuntimeException e) {
            closeAudit();
            throw ConnectFailures.onStart(getClass().getSimpleName(), kekId, e);
        }
        try {
            rotationEvents = events.start(Map.of(), System.currentTimeMillis(), new ReaderNotice(config, metrics, unsealer));
        } catch (RuntimeException e) {
            unsealer.close();
            unsealer = null;
            closeAudit();
            throw e;
        }
        onFailure = new OnFailure(FailurePolicy.of(config.onFailure()), null, metrics,
                f -> ConnectFailures.onValue("Cannot decrypt " + where(current), f));
        decryptor = new ConnectDecryptor(unsealer, FieldSelection.of(config.fields(), List.of()),
                new ConnectValueCodec(), onFailure);
    }

    @Override
    public R apply(R record) {
        Object value = operatingValue(record);
        if (value == null) {
            return record; // tombstones (and null keys) pass untouched
        }
        ConnectDecryptor.Result r;
        current = record;
        metrics.audit().at(record.topic(), record.kafkaPartition() == null ? -1 : record.kafkaPartition(),
                record instanceof SinkRecord s ? s.kafkaOffset() : -1);
        try {
            if (WholeValue.isSealed(value)) {
                return newRecord(record, operatingSchema(record), openWhole(value, headerEdeks(record)));
            }
            r = decryptor.decrypt(operatingSchema(record), value, headerEdeks(record));
        } catch (RuntimeException e) {
            throw ConnectFailures.onRecord("Cannot decrypt " + where(record), e);
        } finally {
            current = null;
        }
        metrics.recordDecrypted(r.fields());
        return newRecord(record, r.schema(), r.value());
    }

    /**
     * A key or value that is one envelope as a whole (the serdes' and the Streams app's format
     * 'string', read with StringConverter or ByteArrayConverter): its plaintext bytes, as a String
     * when it came as one (the producer's inner serializer wrote text) and as bytes otherwise.
     */
    private Object openWhole(Object sealed, Map<ByteBuffer, Edek> edeks) {
        FieldOpener opener = new FieldOpener(unsealer, edeks, onFailure);
        Object out = WholeValue.open(opener, sealed,
                plain -> sealed instanceof String ? new String(plain, StandardCharsets.UTF_8) : plain,
                maskText -> sealed instanceof String ? Masks.TEXT : new byte[0]);
        metrics.recordDecrypted(opener.opened());
        return out;
    }

    /** Every {@code fieldseal.edek} header of the record (the key and value transforms may each have added one). */
    private Map<ByteBuffer, Edek> headerEdeks(ConnectRecord<?> record) {
        List<byte[]> values = null;
        for (Header h : record.headers()) {
            if (EdekHeader.NAME.equals(h.key()) && h.value() != null) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(headerBytes(h.value()));
            }
        }
        return values == null ? Map.of() : unsealer.edeks(values);
    }

    /**
     * Raw bytes (ByteArrayConverter, or headers written by the serializer or the Streams app), or
     * base64 text (the worker's default SimpleHeaderConverter writes bytes headers as base64);
     * {@link Unsealer#edeks(List)} reads both.
     */
    private static byte[] headerBytes(Object value) {
        if (value instanceof String text) {
            return text.trim().getBytes(StandardCharsets.US_ASCII);
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        throw new DataException("Header " + EdekHeader.NAME + " is a " + value.getClass().getSimpleName()
                + ", not bytes or base64 text: use the default SimpleHeaderConverter or ByteArrayConverter.");
    }

    private String where(R record) {
        return (this instanceof Key ? "key" : "value") + " of a record from topic " + record.topic()
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
        TransformMetrics.register(pluginMetrics, metrics, false);
        if (audit != null) {
            // Connect tags plugin metrics with the connector and task (KIP-877): the only place a
            // transform learns them.
            Map<String, String> tags = pluginMetrics.metricName("audit", "", new java.util.LinkedHashMap<>()).tags();
            audit.who(AuditLog.CONNECTOR, tags.get("connector"));
            audit.who(AuditLog.TASK, tags.get("task"));
        }
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
        if (unsealer != null) {
            unsealer.close();
            unsealer = null;
        }
        closeAudit();
        decryptor = null;
    }

    private void closeAudit() {
        if (audit != null) {
            audit.close(); // writes what is left
            audit = null;
        }
    }

    protected abstract Schema operatingSchema(R record);

    protected abstract Object operatingValue(R record);

    protected abstract R newRecord(R record, Schema updatedSchema, Object updatedValue);

    /** Decrypts fields of the record key. */
    public static final class Key<R extends ConnectRecord<R>> extends DecryptFields<R> {
        @Override
        protected Schema operatingSchema(R record) {
            return record.keySchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.key();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue) {
            return record.newRecord(record.topic(), record.kafkaPartition(), updatedSchema, updatedValue,
                    record.valueSchema(), record.value(), record.timestamp());
        }
    }

    /** Decrypts fields of the record value. */
    public static final class Value<R extends ConnectRecord<R>> extends DecryptFields<R> {
        @Override
        protected Schema operatingSchema(R record) {
            return record.valueSchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.value();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue) {
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    updatedSchema, updatedValue, record.timestamp());
        }
    }
}
