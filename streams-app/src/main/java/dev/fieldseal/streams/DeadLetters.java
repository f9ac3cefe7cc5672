package dev.fieldseal.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.codec.CodecException;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.kms.KmsException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;

/**
 * What a dead-lettered record looks like. The DLQ must never become a plaintext copy of PII:
 * the route's configured fields are removed from the value; a value that cannot be parsed is
 * dropped entirely (null). Avro values are written as JSON text (Avro's JSON rendering, minus the
 * fields), since a record without them no longer fits its schema; the header
 * {@value #VALUE_FORMAT} says so. Error messages come only from exceptions whose messages are
 * known to hold no data.
 */
final class DeadLetters {

    static final String ERROR_CLASS = "fieldseal.error.class";
    static final String ERROR_MESSAGE = "fieldseal.error.message";
    static final String ERROR_TOPIC = "fieldseal.error.topic";
    static final String ERROR_PARTITION = "fieldseal.error.partition";
    static final String ERROR_OFFSET = "fieldseal.error.offset";
    static final String ERROR_ROUTE = "fieldseal.error.route";
    static final String ERROR_MODE = "fieldseal.error.mode";
    static final String VALUE_FORMAT = "fieldseal.dlq.value.format";
    private static final int MAX_MESSAGE = 1000;

    private DeadLetters() {
    }

    /**
     * Whether a failure is permanent for this record, so that it goes to the DLQ. A value failure
     * goes by its one classification ({@link FailureClass#of}): every class but the retriable ones
     * (a Key Vault outage, a rate-limited unwrap) and a refused identity (which affect every record and must not fill the DLQ). A value that
     * cannot be read in the route's format is permanent too. Everything else (outages, refused
     * identities, bugs) stops the task without committing past it.
     */
    static boolean permanent(RuntimeException e, String mode) {
        return permanent(e, mode, false);
    }

    /**
     * {@link #permanent(RuntimeException, String)}; with {@code perRecordKeys} (kek.id a template)
     * the record picked its key, so a key that is disabled or deleted (a tenant erased) is about this
     * record, not the app's one key: the record goes to the dead-letter topic and the others flow on.
     */
    static boolean permanent(RuntimeException e, String mode, boolean perRecordKeys) {
        if (e instanceof dev.fieldseal.keyselect.KeySelectionException) {
            return true;
        }
        if (perRecordKeys && FailureClass.of(e) == FailureClass.PERMANENT_KMS) {
            return true;
        }
        if (e instanceof BadRecordException || e instanceof IllegalArgumentException
                || e instanceof org.apache.avro.AvroRuntimeException) {
            return true;
        }
        FailureClass c = FailureClass.of(e);
        if (c == null || c.retriable() || c == FailureClass.FORBIDDEN) {
            return false;
        }
        // Encrypting: any key manager failure is about our own key, not this record.
        return !(c == FailureClass.PERMANENT_KMS && StreamsAppConfig.MODE_ENCRYPT.equals(mode));
    }

    /** The error message to publish: only from exceptions whose messages never carry values. */
    static String safeMessage(RuntimeException e) {
        String m;
        if (e instanceof DecryptionException || e instanceof BadRecordException || e instanceof CodecException
                || e instanceof KmsException || e instanceof UndecryptableValueException
                || e instanceof dev.fieldseal.registry.RegistryException
                || e instanceof dev.fieldseal.keyselect.KeySelectionException
                || e instanceof IllegalArgumentException && fromFieldseal(e)) {
            m = e.getMessage();
        } else {
            m = e.getClass().getSimpleName();
        }
        if (m == null) {
            m = e.getClass().getSimpleName();
        }
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m;
    }

    private static boolean fromFieldseal(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length > 0 && st[0].getClassName().startsWith("dev.fieldseal.");
    }

    static void addErrorHeaders(Headers h, RuntimeException e, String topic, int partition, long offset,
            Route route, String mode) {
        // The class core threw (what the value failed of); the message is the classified one.
        Throwable named = e instanceof UndecryptableValueException && e.getCause() != null ? e.getCause() : e;
        put(h, ERROR_CLASS, named.getClass().getName());
        put(h, ERROR_MESSAGE, safeMessage(e));
        if (topic != null) {
            put(h, ERROR_TOPIC, topic);
            put(h, ERROR_PARTITION, Integer.toString(partition));
            put(h, ERROR_OFFSET, Long.toString(offset));
        }
        put(h, ERROR_ROUTE, route.name());
        put(h, ERROR_MODE, mode);
    }

    private static void put(Headers h, String name, String value) {
        h.remove(name);
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value to dead-letter: the input minus the route's fields, or null if it cannot be parsed. */
    static byte[] redact(byte[] value, Route route, GenericDatumReader<GenericRecord> avroReader, Headers h) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode tree;
            if (route.avro() || route.registryAvro()) {
                GenericRecord r = route.registryAvro() ? route.registry().read(value).record()
                        : RecordTransformer.readAvro(avroReader, value, route.inputSchema());
                tree = RecordTransformer.JSON.readTree(GenericData.get().toString(r));
                put(h, VALUE_FORMAT, "json");
            } else {
                tree = RecordTransformer.readJson(route.registryJson() ? RegistryJson.payload(value) : value);
                if (route.registryJson()) {
                    put(h, VALUE_FORMAT, "json"); // the registry framing is not kept
                }
            }
            if (tree == null || !tree.isObject()) {
                return route.allFields().isEmpty() && tree != null ? value : null;
            }
            for (FieldPath p : route.allFields()) {
                remove(tree, p.segments(), 0);
            }
            return RecordTransformer.JSON.writeValueAsBytes(tree);
        } catch (Exception e) {
            h.remove(VALUE_FORMAT);
            return null;
        }
    }

    private static void remove(JsonNode node, List<FieldPath.Segment> segs, int i) {
        if (!(node instanceof ObjectNode o)) {
            return;
        }
        FieldPath.Segment s = segs.get(i);
        boolean last = i == segs.size() - 1;
        if (last) {
            o.remove(s.name());
            return;
        }
        JsonNode child = o.get(s.name());
        if (s.eachElement()) {
            if (child instanceof ArrayNode a) {
                a.forEach(e -> remove(e, segs, i + 1));
            } else if (child instanceof ObjectNode m) {
                m.forEach(e -> remove(e, segs, i + 1));
            }
        } else {
            remove(child, segs, i + 1);
        }
    }
}
