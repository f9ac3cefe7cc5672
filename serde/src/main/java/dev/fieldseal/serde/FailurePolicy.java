package dev.fieldseal.serde;

import dev.fieldseal.envelope.DecryptionException;
import dev.fieldseal.format.Envelope;
import dev.fieldseal.format.EnvelopeLayout;
import dev.fieldseal.kms.Edek;
import dev.fieldseal.kms.KmsException;
import java.util.Base64;
import org.apache.kafka.common.errors.SerializationException;

/**
 * {@code fieldseal.on.failure}: what the deserializer does with a value it cannot decrypt. The
 * {@code fail} message names the topic, the field, the key id and version and the cause; never
 * the plaintext (which was never produced) nor key material. The Deserializer API is not told
 * partition and offset; the consumer adds them by wrapping this exception in a
 * {@link org.apache.kafka.common.errors.RecordDeserializationException}.
 */
enum FailurePolicy {
    FAIL, CIPHERTEXT, MASK;

    static FailurePolicy of(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    /** Whether a failure may be replaced at all: an outage that may heal always fails the record. */
    static boolean replaceable(RuntimeException e) {
        return !(e instanceof KmsException k && k.retriable()) && !(e instanceof SerializationException);
    }

    static SerializationException failure(String topic, String path, String ciphertext, RuntimeException e) {
        String cause = e instanceof DecryptionException d ? d.reason().name()
                : e instanceof KmsException k ? "KMS_" + k.reason().name() : e.getClass().getSimpleName();
        return new SerializationException("fieldseal: cannot decrypt field '" + path + "' of a record from topic '"
                + topic + "' (partition and offset: see the consumer's RecordDeserializationException), "
                + keyOf(ciphertext) + ", cause " + cause + ": " + e.getMessage(), e);
    }

    /** The key id and version an encrypted value names, read from its envelope without decrypting. */
    static String keyOf(String ciphertext) {
        try {
            Envelope env = EnvelopeLayout.parse(Base64.getDecoder().decode(ciphertext));
            Edek edek = env.edek();
            if (edek == null) {
                return "key named in the record's fieldseal.edek header";
            }
            return "key " + abbreviate(edek.kek().keyId()) + " version " + abbreviate(edek.kek().version());
        } catch (RuntimeException e) {
            return "key unknown (the value is not a well-formed envelope)";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
