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

    /**
     * The EDEKs of a header value by their reference.
     *
     * @throws DecryptionException MALFORMED if the header is not a valid EDEK list
     */
    public static Map<ByteBuffer, Edek> read(byte[] header) {
        try {
            return readRaw(header);
        } catch (DecryptionException raw) {
            // Connect's default SimpleHeaderConverter writes a bytes header as base64 text.
            byte[] decoded;
            try {
                decoded = java.util.Base64.getDecoder().decode(header);
            } catch (IllegalArgumentException notBase64) {
                throw raw;
            }
            return readRaw(decoded);
        }
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
