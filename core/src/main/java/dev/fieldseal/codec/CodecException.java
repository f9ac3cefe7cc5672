package dev.fieldseal.codec;

/**
 * A value or plaintext that cannot be encoded or decoded. Messages name types, schema names and
 * field paths only, never a value, because they end up in logs next to encrypted data.
 */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
