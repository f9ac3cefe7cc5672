package dev.fieldseal.serde;

/** Format 'string': the whole record value is one encrypted value. */
final class WholeValue {

    /**
     * The field path bound (as associated data) into a whole-value ciphertext. Only a top-level
     * JSON member literally named {@code $value} shares it; a ciphertext moved between the two
     * decrypts only for a reader that could decrypt it where it was.
     */
    static final String PATH = "$value";

    private WholeValue() {
    }

    /** The plaintext of a whole value: the bytes, as a JSON-family binary node (keeps any bytes exactly). */
    static byte[] encode(dev.fieldseal.codec.JsonValueCodec codec, byte[] value) {
        return codec.encode(com.fasterxml.jackson.databind.node.BinaryNode.valueOf(value));
    }

    static byte[] decode(dev.fieldseal.codec.JsonValueCodec codec, byte[] plaintext) {
        com.fasterxml.jackson.databind.JsonNode n = codec.decode(plaintext);
        if (!n.isBinary()) {
            throw new dev.fieldseal.envelope.DecryptionException(
                    dev.fieldseal.envelope.DecryptionException.Reason.MALFORMED,
                    "Whole-value ciphertext does not hold bytes (a " + n.getNodeType() + ").");
        }
        try {
            return n.binaryValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getClass().getSimpleName());
        }
    }
}
