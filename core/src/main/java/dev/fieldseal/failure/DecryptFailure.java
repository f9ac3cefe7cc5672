package dev.fieldseal.failure;

/**
 * One value that could not be opened, as a host reports it: where, which key, why. Its
 * {@link #message()} names the field path, the key id and version (read from the envelope without
 * decrypting) and the cause; it never holds a value, because the plaintext was never produced and
 * the ciphertext is not quoted.
 *
 * @param path the canonical field path ({@code $} for a whole value)
 * @param failureClass why, classified
 * @param key "key &lt;id&gt; version &lt;v&gt;", or what is known instead
 * @param cause the exception core threw (its message holds no value)
 */
public record DecryptFailure(String path, FailureClass failureClass, String key, RuntimeException cause) {

    /** E.g. {@code field 'ssn', key https://v/keys/k version 1f2e, cause PERMANENT_KMS (KMS_DISABLED): ...}. */
    public String message() {
        return "field '" + path + "', " + key + ", cause " + failureClass + " (" + FailureClass.detail(cause) + "): "
                + cause.getMessage();
    }
}
