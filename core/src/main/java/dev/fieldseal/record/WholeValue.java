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

    /** Whether a key or value is one envelope as a whole: base64 text (a String or its bytes) or raw envelope bytes. */
    public static boolean isSealed(Object v) {
        if (v instanceof String s) {
            return dev.fieldseal.format.EnvelopeLayout.hasTextMagic(s);
        }
        return v instanceof byte[] b && dev.fieldseal.scan.EnvelopeLocator.whole(b) != null;
    }

    /**
     * The plaintext bytes of a whole sealed key or value ({@link #isSealed}).
     *
     * @throws DecryptionException if it is not a well-formed, authentic whole-value envelope
     */
    public static byte[] open(dev.fieldseal.envelope.Unsealer unsealer, Object sealed,
            java.util.Map<java.nio.ByteBuffer, dev.fieldseal.kms.Edek> headerEdeks) {
        byte[] envelope;
        if (sealed instanceof byte[] b && dev.fieldseal.format.EnvelopeLayout.hasMagic(b)) {
            envelope = b;
        } else {
            String text = sealed instanceof String s ? s
                    : new String((byte[]) sealed, java.nio.charset.StandardCharsets.US_ASCII);
            try {
                envelope = java.util.Base64.getDecoder().decode(text.trim());
            } catch (IllegalArgumentException e) {
                throw new DecryptionException(DecryptionException.Reason.MALFORMED,
                        "A whole value starts like a fieldseal value but is not base64 text.");
            }
        }
        return decode(new dev.fieldseal.codec.JsonValueCodec(), unsealer.unseal(envelope, PATH, headerEdeks));
    }
}
