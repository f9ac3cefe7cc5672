package dev.fieldseal.audit;

/** Where audit events go: the audit logger, a Kafka topic. */
interface AuditSink extends AutoCloseable {

    /** Writes one event; must not throw (an audit outage does not stop decryption). */
    void write(String keyId, String json);

    @Override
    void close();
}
