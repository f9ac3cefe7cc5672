package dev.fieldseal.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import dev.fieldseal.codec.JsonValueCodec;
import dev.fieldseal.format.DecryptionException;
import java.io.IOException;
import java.util.Base64;
import java.util.function.Function;

/**
 * Whole-value mode (the serdes' format 'string', the Streams app's 'string' keys and values): the
 * whole record key or value is one encrypted value, written as base64 text. Sealed and opened
 * through the same per-value seam as fields, at the fixed path {@link #PATH}.
 */
public final class WholeValue {

    /**
     * The field path bound (as associated data) into a whole-value ciphertext. Only a top-level
     * JSON member literally named {@code $value} shares it; a ciphertext moved between the two
     * decrypts only for a reader that could decrypt it where it was.
     */
    public static final String PATH = "$value";

    private static final JsonValueCodec CODEC = new JsonValueCodec();

    private WholeValue() {
    }

    /** A whole key or value sealed: its envelope as base64 text, in US-ASCII bytes. */
    public static byte[] seal(FieldSealer fields, byte[] value, boolean deterministic) {
        return Base64.getEncoder().encode(fields.envelope(encode(value), PATH, deterministic));
    }

    /**
     * Opens a whole sealed key or value ({@link #isSealed}).
     *
     * @param fromPlain the host's value from the plaintext bytes
     * @param mask the host's mask, given the policy's mask text
     * @return {@code fromPlain} of the plaintext, the mask, or {@code sealed} itself when the policy leaves it sealed
     */
    public static <T> T open(FieldOpener opener, T sealed, Function<byte[], ? extends T> fromPlain,
                             Function<String, ? extends T> mask) {
        return opener.open(sealed, PATH, plaintext -> fromPlain.apply(decode(plaintext)), mask);
    }

    /** Whether a key or value is one envelope as a whole: base64 text (a String or its bytes) or raw envelope bytes. */
    public static boolean isSealed(Object v) {
        return (v instanceof String || v instanceof byte[]) && SealedValues.isWholeSealed(v);
    }

    /** The plaintext of a whole value: the bytes, as a JSON-family binary node (keeps any bytes exactly). */
    static byte[] encode(byte[] value) {
        return CODEC.encode(BinaryNode.valueOf(value));
    }

    static byte[] decode(byte[] plaintext) {
        JsonNode n = CODEC.decode(plaintext);
        if (!n.isBinary()) {
            throw new DecryptionException(DecryptionException.Reason.MALFORMED,
                    "Whole-value ciphertext does not hold bytes (a " + n.getNodeType() + ").");
        }
        try {
            return n.binaryValue();
        } catch (IOException e) {
            throw new IllegalStateException(e.getClass().getSimpleName());
        }
    }
}
