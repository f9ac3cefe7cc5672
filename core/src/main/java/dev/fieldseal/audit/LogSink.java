package dev.fieldseal.audit;

import dev.fieldseal.config.FieldsealConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@value FieldsealConfig#AUDIT_LOGGER} logger at INFO, the event as the whole message: a log
 * layout that prints only the message ({@code %m%n}) turns the file into JSON lines that a log
 * shipper (Azure Monitor Agent, Fluent Bit, Splunk's forwarder) reads as they are.
 */
final class LogSink implements AuditSink {

    private static final Logger AUDIT = LoggerFactory.getLogger(FieldsealConfig.AUDIT_LOGGER);

    @Override
    public void write(String keyId, String json) {
        AUDIT.info(json);
    }

    @Override
    public void close() {
    }
}
