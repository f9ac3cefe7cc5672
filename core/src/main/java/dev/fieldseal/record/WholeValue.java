package dev.fieldseal.record;

import dev.fieldseal.format.DecryptionException;
/**
 * Whole-value mode (the serdes' format 'string', the Streams app's 'string' keys and values): the
 * whole record key or value is one encrypted value, written as base64 text.
 */
public final class WholeValue {

    /**
     * The field path bound (as associated data) into a whole-value ciphertext. Only a top-level
     * JSON member literally named {@code $value} shares it; a ciphertext moved between the two
     * decrypts only for a reader that could decrypt it where it was.
     */
    public static final String PATH = "$value";

    private WholeValue() {
    }

    /** The plaintext of a whole value: the bytes, as a JSON-family binary node (keeps any bytes exactly). */
    public static byte[] encode(dev.fieldseal.codec.JsonValueCodec codec, byte[] value) {
        return codec.encode(com.fasterxml.jackson.databind.node.BinaryNode.valueOf(value));
    }

    public static byte[] decode(dev.fieldseal.codec.JsonValueCodec codec, byte[] plaintext) {
        com.fasterxml.jackson.databind.JsonNode n = codec.decode(plaintext);
        if (!n.isBinary()) {
            throw new dev.fieldseal.format.DecryptionException(
                    dev.fieldseal.format.DecryptionException.Reason.MALFORMED,
                    "Whole-value ciphertext does not hold bytes (a " + n.getNodeType() + ").");
        }
        try {
            return n.binaryValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getClass().getSimpleName());
        }
    }
}
