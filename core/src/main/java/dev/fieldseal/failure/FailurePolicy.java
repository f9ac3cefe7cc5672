package dev.fieldseal.failure;

import java.util.Locale;

/**
 * {@code on.failure}: what a decrypting host does with a value it cannot open. A
 * {@link FailureClass#RETRIABLE_KMS} failure always fails, whatever the policy, so nothing is lost
 * to an outage. The table in {@code docs/operations.md} ("Failure policy") says what each host
 * makes of it.
 */
public enum FailurePolicy {
    /** The record fails (the host's own error: exception, retry, dead-letter topic). */
    FAIL,
    /** The sealed value is passed on as it is. */
    CIPHERTEXT,
    /** The value is replaced by a masked value of the field's original type ({@link Masks}). */
    MASK;

    /** The config spelling, e.g. {@code mask}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FailurePolicy of(String configValue) {
        return valueOf(configValue.trim().toUpperCase(Locale.ROOT));
    }
}
