package dev.fieldseal.format;

import dev.fieldseal.format.DecryptionException.Reason;
import dev.fieldseal.kms.Edek;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code fieldseal.edek} record header of header placement: the EDEKs a record's values refer
 * to, each written once per record as {@code varint length, EDEK block}. Values name them by
 * {@link EnvelopeLayout#dekRef 8-byte reference}.
 *
 * <p>On a Kafka record the list is written as base64 text ({@link #writeText}): a Connect sink's
 * default SimpleHeaderConverter turns header bytes into a string, which raw bytes do not survive.
 * Readers accept both forms, since a Connect transform's bytes header is raw under
 * ByteArrayConverter.
 */
public final class EdekHeader {

    public static final String NAME = "fieldseal.edek";
    private static final int MAX_ENTRIES = 16;

    private EdekHeader() {
    }

    public static byte[] write(Collection<byte[]> edekBlocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] block : edekBlocks) {
            EnvelopeLayout.writeBytes(out, block);
        }
        return out.toByteArray();
    }

    /** {@link #write}, as base64 text in US-ASCII bytes. */
    public static byte[] writeText(Collection<byte[]> edekBlocks) {
        return java.util.Base64.getEncoder().encode(write(edekBlocks));
    }

    /**
     * The EDEKs of a header value by their reference.
     *
     * @throws DecryptionException MALFORMED if the header is not a valid EDEK list
     */
    public static Map<ByteBuffer, Edek> read(byte[] header) {
        // The text form first, as Kafka hosts write it; raw bytes (a Connect transform's bytes
        // header under ByteArrayConverter, or before the worker's converter ran) have a byte
        // outside the base64 alphabet, which random wrapped-key bytes are sure to have. Testing
        // the alphabet first spares the decoder's exception, which costs microseconds per record.
        if (!isBase64Text(header)) {
            return readRaw(header);
        }
        byte[] decoded;
        try {
            decoded = java.util.Base64.getDecoder().decode(header);
        } catch (IllegalArgumentException raw) {
            return readRaw(header);
        }
        try {
            return readRaw(decoded);
        } catch (DecryptionException notText) {
            return readRaw(header);
        }
    }

    /** Whether every byte is of the base64 alphabet (padding included). */
    static boolean isBase64Text(byte[] b) {
        for (byte x : b) {
            boolean ok = (x >= 'A' && x <= 'Z') || (x >= 'a' && x <= 'z') || (x >= '0' && x <= '9')
                    || x == '+' || x == '/' || x == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Map<ByteBuffer, Edek> readRaw(byte[] header) {
        Map<ByteBuffer, Edek> out = new HashMap<>();
        EnvelopeLayout.Reader r = new EnvelopeLayout.Reader(header, 0);
        while (r.position() < header.length) {
            if (out.size() == MAX_ENTRIES) {
                throw new DecryptionException(Reason.MALFORMED, "Malformed " + NAME + " header: more than "
                        + MAX_ENTRIES + " EDEKs.");
            }
            byte[] block = r.bytes(4096, "EDEK block");
            out.put(ByteBuffer.wrap(EnvelopeLayout.dekRef(block)), EnvelopeLayout.parseEdekBlock(block));
        }
        return out;
    }
}
