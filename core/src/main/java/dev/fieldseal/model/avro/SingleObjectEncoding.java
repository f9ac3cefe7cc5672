package dev.fieldseal.model.avro;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Avro single-object encoding of one schema, as the Avro specification defines it: the marker
 * {@code C3 01}, the schema's 64-bit CRC-64-AVRO fingerprint of its parsing canonical form
 * (little-endian), then the binary datum. The framing only: datums are read and written with
 * Avro's own readers and writers at {@link #HEADER_LENGTH}.
 *
 * <p>A value counts as single-object encoded by this schema only if both the marker and the
 * fingerprint match: plain Avro binary may start with {@code C3 01} (a long of -98, say), but
 * not also with the schema's fingerprint.
 *
 * <p>Avro's {@code BinaryMessageEncoder}/{@code Decoder} do this framing too, but only around a
 * whole encode or decode with a schema store; hosts here need the framing apart from the datum
 * (to splice envelopes at an offset, to reuse one reader per schema), so this is the header alone.
 */
public final class SingleObjectEncoding {

    /** Marker, then the 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = 0x01;

    private final Schema schema;
    private final long fingerprint;
    private final byte[] header;

    private SingleObjectEncoding(Schema schema) {
        this.schema = schema;
        this.fingerprint = fingerprint(schema);
        this.header = new byte[HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
    }

    /** The framing of values written with {@code schema}. */
    public static SingleObjectEncoding of(Schema schema) {
        return new SingleObjectEncoding(schema);
    }

    /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form (properties do not count). */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** Whether {@code data} starts with the single-object marker and is long enough for a fingerprint. */
    public static boolean hasMarker(byte[] data) {
        return data.length >= HEADER_LENGTH && data[0] == MARKER_0 && data[1] == MARKER_1;
    }

    /** The writer-schema fingerprint a value names; only meaningful if {@link #hasMarker} holds. */
    public static long fingerprintOf(byte[] data) {
        long fp = 0;
        for (int i = 7; i >= 0; i--) {
            fp = (fp << 8) | (data[2 + i] & 0xFF);
        }
        return fp;
    }

    public Schema schema() {
        return schema;
    }

    public long fingerprint() {
        return fingerprint;
    }

    /** Whether {@code data} is single-object encoded with this schema: marker and fingerprint. */
    public boolean frames(byte[] data) {
        return hasMarker(data) && Arrays.equals(data, 2, HEADER_LENGTH, header, 2, HEADER_LENGTH);
    }

    /** Where the datum of {@code data} starts: after the header if this schema frames it, else at 0 (plain binary). */
    public int datumOffset(byte[] data) {
        return frames(data) ? HEADER_LENGTH : 0;
    }

    /** Writes the header; the datum follows. */
    public void writeHeader(ByteArrayOutputStream out) {
        out.write(header, 0, HEADER_LENGTH);
    }
}
