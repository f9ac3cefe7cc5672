package dev.fieldseal.failure;

import dev.fieldseal.codec.CodecException;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.kms.KmsException;
import java.util.Locale;

/**
 * Why one sealed value could not be opened, computed in one place ({@link #of}) from the
 * exceptions core throws, so that every host counts, routes and reports the same fault the same
 * way. Only {@link #RETRIABLE_KMS} and {@link #RATE_LIMITED} may heal by retrying the same record.
 */
public enum FailureClass {
    /** Key Vault throttled, failed (5xx), timed out or was unreachable after the bounded retries. */
    RETRIABLE_KMS,
    /**
     * Not sent to Key Vault: a new DEK, or a version not yet in the key's version list, over this
     * process's rate limit for the key. Retriable, so a genuine burst (a rotation) is delayed, never
     * masked or passed on; a flood of forged EDEKs costs retries, not Key Vault calls.
     */
    RATE_LIMITED,
    /** The key version is disabled or deleted, the key cannot unwrap, or Key Vault rejected the wrapped DEK. */
    PERMANENT_KMS,
    /** Key Vault refused this process's identity (401/403): a missing role assignment. */
    FORBIDDEN,
    /** The value names a key outside {@code kek.allowed}; nothing was contacted. */
    NOT_ALLOWED,
    /** Authentication failed: altered, moved from another field, or sealed with another DEK. */
    TAMPERED,
    /** Not a well-formed envelope: bad structure, not base64, or an EDEK the record does not carry. */
    MALFORMED,
    /** A newer wire-format version, or a plaintext this reader cannot turn back into the field's shape. */
    UNSUPPORTED;

    /** The {@code cause} tag of {@code failures{cause=...}}: the name in lower case with dashes. */
    public String metricCause() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** An outage that may heal: such a value is never masked or passed on, whatever the policy. */
    public boolean retriable() {
        return this == RETRIABLE_KMS || this == RATE_LIMITED;
    }

    /**
     * The class of a failure (or of the first classifiable exception in its cause chain), or null
     * for an exception core does not throw on a decryption path (a bug: it is never replaced).
     */
    public static FailureClass of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            FailureClass c = direct(t);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** The fixed detail word hosts put next to the class in messages, e.g. {@code KMS_DISABLED}. */
    public static String detail(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KmsException k) {
                return "KMS_" + k.reason().name();
            }
            if (t instanceof DecryptionException d) {
                return d.reason().name();
            }
            if (t instanceof CodecException) {
                return "UNDECODABLE";
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static FailureClass direct(Throwable t) {
        if (t instanceof KmsException k) {
            return switch (k.reason()) {
                case UNAVAILABLE -> RETRIABLE_KMS;
                case RATE_LIMITED -> RATE_LIMITED;
                case FORBIDDEN -> FORBIDDEN;
                case NOT_FOUND, DISABLED, INVALID_KEY, UNWRAP_FAILED -> PERMANENT_KMS;
            };
        }
        if (t instanceof DecryptionException d) {
            return switch (d.reason()) {
                case KEY_NOT_ALLOWED -> NOT_ALLOWED;
                case AUTHENTICATION_FAILED -> TAMPERED;
                case MALFORMED, MISSING_EDEK -> MALFORMED;
                case UNSUPPORTED_VERSION -> UNSUPPORTED;
            };
        }
        if (t instanceof CodecException) {
            return UNSUPPORTED;
        }
        return null;
    }
}
