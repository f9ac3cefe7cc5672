package dev.fieldseal.streams;

import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.failure.FailureClass;
import dev.fieldseal.metrics.DecryptAudit;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts, decrypts or re-keys one record of a route (key and value together) and forwards it to
 * the output sink, or to the dead-letter sink when it can never be processed. Tombstones keep
 * their (sealed) key. A failure that may heal (Key Vault unavailable) is thrown: the task stops
 * without committing past the record.
 *
 * <p>A re-keying route that writes back into its own input (a compacted topic re-keyed in place)
 * does not write records that are already under the newest version, so it settles once it has
 * read its own output; when a sealed key changes bytes, the old key gets a tombstone, so that
 * compaction removes the record under the old version. That tombstone is marked
 * ({@value #REKEY_TOMBSTONE_HEADER}) so that reading it back does not delete the re-keyed record; a
 * producer's own tombstone of an old key is re-keyed like any record, so the deletion holds for
 * the new key too.
 */
final class FieldsealProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(FieldsealProcessor.class);
    static final String REKEY_TOMBSTONE_HEADER = "fieldseal.rekey.tombstone";
    private static final byte[] MARK = {1};

    private final Route route;
    private final Crypto crypto;
    private final AppMetrics appMetrics;
    private final String outputSink;
    private final String dlqSink;
    private final boolean inPlace;
    /** decrypt and rekey report each record's position to the audit log. */
    private final boolean audited;
    private RecordTransformer transformer;
    private GenericDatumReader<GenericRecord> dlqReader;
    private ProcessorContext<byte[], byte[]> context;

    FieldsealProcessor(Route route, Crypto crypto, AppMetrics appMetrics, String outputSink, String dlqSink) {
        this.route = route;
        this.crypto = crypto;
        this.appMetrics = appMetrics;
        this.outputSink = outputSink;
        this.dlqSink = dlqSink;
        this.inPlace = StreamsAppConfig.MODE_REKEY.equals(crypto.mode()) && route.writesToItsInput();
        this.audited = !StreamsAppConfig.MODE_ENCRYPT.equals(crypto.mode());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.transformer = new RecordTransformer(route, crypto);
        if (route.avro()) {
            dlqReader = new GenericDatumReader<>(route.inputSchema());
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (inPlace && record.value() == null && record.headers().lastHeader(REKEY_TOMBSTONE_HEADER) != null) {
            appMetrics.settledRecords.increment(); // our own tombstone of a key that moved
            return;
        }
        if (audited) {
            RecordMetadata m = context.recordMetadata().orElse(null);
            crypto.metrics().audit().at(m == null ? null : m.topic(), m == null ? -1 : m.partition(),
                    m == null ? -1 : m.offset());
        }
        RecordTransformer.Output out;
        try {
            out = transformer.apply(context.recordMetadata().map(RecordMetadata::topic).orElse(null), record.key(),
                    record.value(), record.headers());
        } catch (RuntimeException e) {
            if (!DeadLetters.permanent(e, crypto.mode(), crypto.perRecordKeys())) {
                throw e;
            }
            if (StreamsAppConfig.MODE_REKEY.equals(crypto.mode())) {
                // decrypt counted it in its failure policy; a re-key refuses the record here
                FailureClass c = FailureClass.of(e);
                crypto.metrics().audit().notOpened(c == null ? "unreadable" : c.metricCause(),
                        DecryptAudit.Outcome.REFUSED);
            }
            deadLetter(record, e);
            return;
        }
        boolean changed = out.key() != record.key() || out.value() != record.value() || out.headers() != null;
        if (!changed) {
            if (inPlace) {
                appMetrics.settledRecords.increment(); // already there: writing it again would never settle
                return;
            }
            appMetrics.copiedRecords.increment();
            context.forward(record, outputSink);
            return;
        }
        if (StreamsAppConfig.MODE_REKEY.equals(crypto.mode())) {
            appMetrics.rekeyedRecords.increment();
            if (inPlace && record.key() != null && record.value() != null && out.oldKeyHeaders() != null) {
                // The tombstone's key still needs its old version until the cleaner removes it
                // (delete.retention.ms), and says so like any record.
                Headers mark = new RecordHeaders().add(REKEY_TOMBSTONE_HEADER, MARK);
                out.oldKeyHeaders().forEach(mark::add);
                context.forward(new Record<byte[], byte[]>(record.key(), null, record.timestamp(), mark), outputSink);
            }
        }
        Headers h = new RecordHeaders(record.headers().toArray());
        if (out.headers() != null) {
            // a new annotation replaces the old one as a whole (an old fieldseal.edek would be stale)
            SealedRecord.headerNames().forEach(h::remove);
            out.headers().forEach(h::add);
        }
        context.forward(new Record<>(out.key(), out.value(), record.timestamp(), h), outputSink);
    }

    private void deadLetter(Record<byte[], byte[]> record, RuntimeException e) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        String where = m == null ? "" : " at " + m.topic() + "-" + m.partition() + "@" + m.offset();
        if (dlqSink == null) {
            LOG.error("Route '{}': record{} cannot be processed ({}) and no fieldseal.dlq.topic is set; stopping.",
                    route.name(), where, e.getClass().getSimpleName());
            throw new IllegalStateException("Route '" + route.name() + "': record" + where + " cannot be processed: "
                    + DeadLetters.safeMessage(e), e);
        }
        LOG.warn("Route '{}': record{} sent to the dead-letter topic: {}", route.name(), where,
                DeadLetters.safeMessage(e));
        Headers h = new RecordHeaders(record.headers().toArray());
        // A key that should have been sealed may still be plaintext: the DLQ gets no key then.
        byte[] key = StreamsAppConfig.MODE_ENCRYPT.equals(crypto.mode()) && !route.key().none() ? null : record.key();
        DeadLetters.addErrorHeaders(h, e, m == null ? null : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), route, crypto.mode());
        byte[] redacted = DeadLetters.redact(record.value(), route, dlqReader, h);
        appMetrics.deadLettered.increment();
        context.forward(new Record<>(key, redacted, record.timestamp(), h), dlqSink);
    }
}
