package dev.fieldseal.serde;

import dev.fieldseal.failure.DecryptFailure;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The deserializer's one mapping of a value failure that {@code fieldseal.on.failure} did not
 * replace (every class under {@code fail}; a retriable Key Vault failure under every policy): a
 * {@link SerializationException} naming the topic, the field, the key id and version and the
 * cause, never a value. The Deserializer API is not told partition and offset; the consumer adds
 * them by wrapping this exception in a
 * {@link org.apache.kafka.common.errors.RecordDeserializationException}. The cause is core's
 * exception as thrown, so a caller can tell a retriable {@link dev.fieldseal.kms.KmsException}.
 */
final class SerdeFailures {

    private SerdeFailures() {
    }

    static SerializationException onValue(String topic, DecryptFailure f) {
        return new SerializationException("fieldseal: cannot decrypt field '" + f.path() + "' of a record from topic '"
                + topic + "' (partition and offset: see the consumer's RecordDeserializationException), " + f.key()
                + ", cause " + f.failureClass() + " (" + dev.fieldseal.failure.FailureClass.detail(f.cause()) + "): "
                + f.cause().getMessage(), f.cause());
    }
}
