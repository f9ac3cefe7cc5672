package dev.fieldseal.connect;

import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.failure.DecryptFailure;
import dev.fieldseal.kms.KmsException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * Maps fieldseal failures to what Connect acts on: {@link RetriableException} for Key Vault
 * outages (Connect retries the operation under {@code errors.retry.timeout}), {@link DataException}
 * for everything retrying cannot fix (so {@code errors.tolerance} and the dead-letter queue apply).
 * Messages come from core, which never puts plaintext or key material in them.
 */
final class ConnectFailures {

    private ConnectFailures() {
    }

    /**
     * The one mapping of a classified value failure that {@code on.failure} did not replace: a
     * retriable Key Vault failure is retried by Connect, every other class is a {@link DataException}.
     */
    static ConnectException onValue(String what, DecryptFailure f) {
        if (f.failureClass().retriable()) {
            return new RetriableException(what + ": cannot be opened now (" + f.message()
                    + "); Connect retries the record under errors.retry.timeout.", f.cause());
        }
        return new DataException(what + ": " + f.message(), f.cause());
    }

    /** For {@code apply}: the record is not emitted, whatever the failure. */
    static ConnectException onRecord(String what, RuntimeException e) {
        if (e instanceof KmsException k) {
            return k.retriable()
                    ? new RetriableException(what + ": cannot be opened now (" + k.getMessage()
                            + "); Connect retries the record under errors.retry.timeout.", k)
                    : new DataException(what + ": " + k.getMessage(), k);
        }
        if (e instanceof DecryptionException d) {
            return new DataException(what + ": " + d.getMessage(), d);
        }
        if (e instanceof ConnectException c) {
            return c;
        }
        if (e instanceof ConfigException c) {
            return new DataException(what + ": configuration problem: " + c.getMessage(), c);
        }
        return new DataException(what + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }

    /** For {@code configure}: tells the user which key to fix, or that Key Vault could not be reached. */
    static RuntimeException onStart(String transform, String kekId, RuntimeException e) {
        if (e instanceof ConfigException) {
            return e;
        }
        if (e instanceof KmsException k) {
            if (k.retriable()) {
                return new ConnectException(transform + " could not reach the key manager for kek.id=" + kekId
                        + " at start: " + k.getMessage() + " Check the vault URL and the network path from the "
                        + "worker, then restart the task.", k);
            }
            return new ConfigException("kek.id", kekId, transform + " cannot use this key: " + k.getMessage()
                    + " Check kek.id and the worker identity's permissions (get, wrapKey, unwrapKey) on it.");
        }
        return e;
    }
}
