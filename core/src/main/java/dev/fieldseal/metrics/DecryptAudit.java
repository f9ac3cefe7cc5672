package dev.fieldseal.metrics;

/**
 * What the decrypting path tells a host's audit log, value by value, on the thread that decrypts:
 * which key version a value names ({@link #attempt}), and whether it was opened ({@link #opened})
 * or not and what became of it ({@link #notOpened}). It never receives a value, a path or key
 * material. Implementations aggregate (per key version and interval) and must be cheap: they sit
 * on the per-value path. Only names and fixed words pass here, so this interface lives with the
 * counters, below every package that reports to it.
 */
public interface DecryptAudit {

    /** What happened to one sealed value. */
    enum Outcome {
        /** Opened and handed on in plaintext. */
        DECRYPTED,
        /** Not opened, and the record failed (on.failure=fail, or an outage under any policy). */
        REFUSED,
        /** Not opened, replaced by a mask (on.failure=mask). */
        MASKED,
        /** Not opened, passed on sealed (on.failure=ciphertext). */
        LEFT_SEALED,
        /** Moved to the newest key version by a re-key (its DEK was unwrapped). */
        REKEYED
    }

    /** Reports nothing. */
    DecryptAudit NONE = new DecryptAudit() {
        @Override
        public void attempt(String keyId, String version) {
        }

        @Override
        public void opened() {
        }

        @Override
        public void notOpened(String cause, Outcome outcome) {
        }
    };

    /**
     * The record this thread decrypts next, as the host knows it: its topic, partition and offset
     * ({@code -1} where the host is not told them; a deserializer knows only the topic).
     */
    default void at(String topic, int partition, long offset) {
    }

    /**
     * The value being opened on this thread names this key version (after its EDEK was found,
     * before the allowlist and Key Vault are asked): later reports of the thread refer to it.
     */
    void attempt(String keyId, String version);

    /** The value of the last {@link #attempt} was opened ({@link Outcome#DECRYPTED}). */
    void opened();

    /**
     * The value of the last {@link #attempt} (or one whose key was never read: a malformed
     * envelope) was not opened.
     *
     * @param cause the failure class's metric cause ({@code tampered}, {@code not-allowed}, ...)
     */
    void notOpened(String cause, Outcome outcome);

    /** A value of the last {@link #attempt} was moved to a newer key version ({@link Outcome#REKEYED}). */
    default void rekeyed() {
    }

    /** The object id of the identity this process authenticates to Key Vault as, once known. */
    default void identity(String objectId) {
    }
}
