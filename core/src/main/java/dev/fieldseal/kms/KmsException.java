package dev.fieldseal.kms;

/**
 * A failure talking to, or refused by, a key manager. Messages name the key and version and
 * what to do, and never carry key material. {@link #retriable()} separates outages that may heal
 * (throttling, 5xx, timeouts) from answers that will not change (missing, disabled, forbidden).
 */
public class KmsException extends RuntimeException {

    /** Why the operation failed; hosts map these to retry or dead-letter decisions. */
    public enum Reason {
        /** Throttled, 5xx, timeout or connection failure after bounded retries. */
        UNAVAILABLE(true),
        /** The key or version does not exist (or was deleted). */
        NOT_FOUND(false),
        /** The key version exists but is disabled, or not yet/no longer valid. */
        DISABLED(false),
        /** The caller's identity may not perform the operation (401/403). */
        FORBIDDEN(false),
        /** The key cannot be used this way (wrong type, missing key_ops, bad key id). */
        INVALID_KEY(false),
        /** The key manager rejected the wrapped key (tampered or wrapped by another key). */
        UNWRAP_FAILED(false),
        /**
         * Not sent: this process holds back unwraps of new DEKs, or version-list refreshes, for the
         * key over their rate limit. Retriable: a genuine DEK is unwrapped once the budget refills.
         */
        RATE_LIMITED(true);

        private final boolean retriable;

        Reason(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Reason reason;

    public KmsException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public KmsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retriable() {
        return reason.retriable();
    }
}
