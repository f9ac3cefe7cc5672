package dev.fieldseal.value;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldseal.format.DecryptionException;
import dev.fieldseal.format.DecryptionException.Reason;
import dev.fieldseal.format.EnvelopeLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a sealed value looks like where a walker finds it: base64 text (a {@code String}, another
 * {@code CharSequence} such as Avro's {@code Utf8}, a JSON text node) or envelope bytes
 * ({@code byte[]}, {@code ByteBuffer}). The one place that turns such a value into envelope bytes,
 * so that every host refuses the same fault with the same error.
 */
public final class SealedValues {

    private SealedValues() {
    }

    /** Whether a value starts like an envelope (its magic, or the magic's base64 text): cheap, nothing parsed. */
    public static boolean looksSealed(Object v) {
        if (v instanceof String s) {
            return EnvelopeLayout.hasTextMagic(s);
        }
        if (v instanceof byte[] b) {
            return EnvelopeLayout.hasMagic(b);
        }
        if (v instanceof JsonNode n) {
            return n.isTextual() && EnvelopeLayout.hasTextMagic(n.textValue());
        }
        return v instanceof CharSequence cs && EnvelopeLayout.hasTextMagic(cs.toString());
    }

    /** Whether a value is an envelope that parses: what encrypting walkers leave alone, so nothing is sealed twice. */
    public static boolean isSealed(Object v) {
        if (!looksSealed(v)) {
            return false;
        }
        try {
            EnvelopeLayout.parse(envelope(v, ""));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether a whole key or value is one envelope: base64 text (as a String or its bytes) or raw
     * envelope bytes.
     */
    public static boolean isWholeSealed(Object v) {
        if (v instanceof byte[] b && !EnvelopeLayout.hasMagic(b)) {
            String prefix = EnvelopeLayout.TEXT_PREFIX;
            if (b.length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (b[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
        return looksSealed(v);
    }

    /**
     * The envelope bytes of a sealed value.
     *
     * @param path the value's canonical path, for the message
     * @throws DecryptionException MALFORMED if text is not base64, or the value is neither text nor bytes
     */
    public static byte[] envelope(Object v, String path) {
        if (v instanceof byte[] b && EnvelopeLayout.hasMagic(b)) {
            return b;
        }
        if (v instanceof ByteBuffer bb) {
            byte[] envelope = new byte[bb.remaining()];
            bb.duplicate().get(envelope);
            return envelope;
        }
        // Bytes without the magic are base64 text (a whole value's bytes), like every text form.
        String text = v instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII).trim()
                : v instanceof JsonNode n && n.isTextual() ? n.textValue()
                : v instanceof CharSequence cs ? cs.toString() : null;
        if (text == null) {
            throw new DecryptionException(Reason.MALFORMED, "Field '" + path + "' is marked encrypted but holds a "
                    + (v == null ? "null" : v.getClass().getSimpleName()) + ", not text or bytes.");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new DecryptionException(Reason.MALFORMED, "Field '" + path + "' starts like a fieldseal value "
                    + "but is not base64 text.");
        }
    }
}
