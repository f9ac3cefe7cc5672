package dev.fieldseal.audit;

import dev.fieldseal.config.FieldsealConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code audit.topic}: each event as a record keyed by its key id, so one key's events stay in
 * order on one partition. A send that fails is logged (without the event) and dropped: the audit
 * logger still has every event, and decryption never waits on the audit topic.
 */
final class TopicSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSink.class);

    private final String topic;
    private final Producer<String, String> producer;

    TopicSink(String topic, Map<String, Object> props) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(props);
    }

    @Override
    public void write(String keyId, String json) {
        try {
            producer.send(new ProducerRecord<>(topic, keyId, json), (md, e) -> {
                if (e != null) {
                    LOG.warn("An audit event could not be written to topic {} ({}); the {} logger has it.", topic,
                            e.getClass().getSimpleName(), FieldsealConfig.AUDIT_LOGGER);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("An audit event could not be sent to topic {} ({}).", topic, e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
