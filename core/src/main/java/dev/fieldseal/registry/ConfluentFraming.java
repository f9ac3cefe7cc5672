package dev.fieldseal.registry;

import java.io.ByteArrayOutputStream;

/**
 * The Confluent wire format's header: magic byte {@code 0}, then the writer schema's registry id
 * as a 4-byte big-endian int, then the payload (Avro binary, or JSON text for JSON Schema). The
 * framing only, as {@link dev.fieldseal.model.avro.SingleObjectEncoding} is for Avro's own framing.
 */
public final class ConfluentFraming {

    public static final byte MAGIC = 0;
    public static final int HEADER_LENGTH = 5;

    private ConfluentFraming() {
    }

    /** Whether {@code data} starts with the magic byte and is long enough for an id. */
    public static boolean framed(byte[] data) {
        return data != null && data.length >= HEADER_LENGTH && data[0] == MAGIC;
    }

    /** The schema id of a framed value; only meaningful if {@link #framed} holds. */
    public static int schemaId(byte[] data) {
        return (data[1] & 0xFF) << 24 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 8 | data[4] & 0xFF;
    }

    public static void writeHeader(ByteArrayOutputStream out, int id) {
        out.write(MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
    }

    /** {@code data} with its header's id replaced (the payload is kept byte for byte). */
    public static byte[] withId(byte[] data, int id) {
        byte[] out = data.clone();
        out[1] = (byte) (id >>> 24);
        out[2] = (byte) (id >>> 16);
        out[3] = (byte) (id >>> 8);
        out[4] = (byte) id;
        return out;
    }
}
