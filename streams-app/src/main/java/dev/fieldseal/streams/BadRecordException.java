package dev.fieldseal.streams;

/** A record value that can never be processed (not JSON, not Avro of the configured schema). Never holds plaintext. */
public final class BadRecordException extends RuntimeException {

    public BadRecordException(String message) {
        super(message);
    }
}
