package dev.fieldseal.record;

/**
 * What a decrypting walker does when one value cannot be decrypted (not allowed, altered,
 * malformed, key manager refused). The host decides: rethrow to fail the record, or return a
 * replacement (the ciphertext itself, a mask, null). The exception's message never holds
 * plaintext; {@code ciphertext} is the encrypted value as found (base64 text or envelope bytes).
 *
 * @param <T> the walker's value type (a Jackson node, an Avro datum)
 */
@FunctionalInterface
public interface DecryptFailureHandler<T> {

    /**
     * @param path the canonical path of the value
     * @param ciphertext the value as found
     * @param failure why it could not be decrypted
     * @return the value to put in its place
     */
    T onFailure(String path, T ciphertext, RuntimeException failure);

    /** Fails the record: the default. */
    static <T> DecryptFailureHandler<T> rethrow() {
        return (path, ciphertext, failure) -> {
            throw failure;
        };
    }
}
