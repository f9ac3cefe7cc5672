package dev.fieldseal.format;

/**
 * A value could not be decrypted: it is malformed, was altered, was moved from another field, or
 * names a key this process may not use. Messages name the field path, key id and version where
 * known, and never contain plaintext or key bytes. Retrying does not help; a key manager outage
 * is a {@link dev.fieldseal.kms.KmsException} instead.
 */
public class DecryptionException extends RuntimeException {

    /** What went wrong, for hosts that count or route failures by cause. */
    public enum Reason {
        /** Not a well-formed fieldseal envelope (truncated, bad lengths, unknown codes). */
        MALFORMED,
        /** A newer wire-format version than this reader understands. */
        UNSUPPORTED_VERSION,
        /** The authentication tag did not verify: altered data, another field's value, or another key. */
        AUTHENTICATION_FAILED,
        /** The value names a KEK outside kek.allowed; nothing was contacted. */
        KEY_NOT_ALLOWED,
        /** Header placement, but the record lacks the EDEK the value refers to. */
        MISSING_EDEK
    }

    private final Reason reason;

    public DecryptionException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
