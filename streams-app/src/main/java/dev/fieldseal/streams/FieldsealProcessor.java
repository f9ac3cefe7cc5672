package dev.fieldseal.streams;

import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts, decrypts or re-keys one record of a route and forwards it to the output sink, or
 * to the dead-letter sink when it can never be processed. Keys pass through untouched;
 * tombstones pass through. A failure that may heal (Key Vault unavailable) is thrown: the task
 * stops without committing past the record.
 */
final class FieldsealProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(FieldsealProcessor.class);

    private final Route route;
    private final Crypto crypto;
    private final AppMetrics appMetrics;
    private final String outputSink;
    private final String dlqSink;
    private ValueTransformer transformer;
    private GenericDatumReader<GenericRecord> dlqReader;
    private ProcessorContext<byte[], byte[]> context;

    FieldsealProcessor(Route route, Crypto crypto, AppMetrics appMetrics, String outputSink, String dlqSink) {
        this.route = route;
        this.crypto = crypto;
        this.appMetrics = appMetrics;
        this.outputSink = outputSink;
        this.dlqSink = dlqSink;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.transformer = new ValueTransformer(route, crypto);
        if (route.avro()) {
            dlqReader = new GenericDatumReader<>(route.inputSchema());
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            appMetrics.copiedRecords.increment();
            context.forward(record, outputSink);
            return;
        }
        Header edek = record.headers().lastHeader(ValueTransformer.edekHeaderName());
        ValueTransformer.Output out;
        try {
            out = transformer.apply(value, edek == null ? null : edek.value());
        } catch (RuntimeException e) {
            if (!DeadLetters.permanent(e, crypto.mode())) {
                throw e;
            }
            deadLetter(record, e);
            return;
        }
        if (out.value() == value && out.headers().isEmpty() && !out.removeFieldsealHeaders()) {
            appMetrics.copiedRecords.increment();
            context.forward(record, outputSink);
            return;
        }
        if (StreamsAppConfig.MODE_REKEY.equals(crypto.mode())) {
            appMetrics.rekeyedRecords.increment();
        }
        Headers h = new RecordHeaders(record.headers().toArray());
        if (out.removeFieldsealHeaders()) {
            ValueTransformer.fieldsealHeaderNames().forEach(h::remove);
        }
        if (!out.headers().isEmpty()) {
            // a new annotation replaces the old one as a whole (an old fieldseal.edek would be stale)
            ValueTransformer.fieldsealHeaderNames().forEach(h::remove);
            out.headers().forEach(h::add);
        }
        context.forward(new Record<>(record.key(), out.value(), record.timestamp(), h), outputSink);
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
        DeadLetters.addErrorHeaders(h, e, m == null ? null : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), route, crypto.mode());
        byte[] redacted = DeadLetters.redact(record.value(), route, dlqReader, h);
        appMetrics.deadLettered.increment();
        crypto.metrics().failure("dead-letter");
        context.forward(new Record<>(record.key(), redacted, record.timestamp(), h), dlqSink);
    }
}
