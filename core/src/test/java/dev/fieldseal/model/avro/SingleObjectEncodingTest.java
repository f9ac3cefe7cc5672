package dev.fieldseal.model.avro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SingleObjectEncodingTest {

    static final Schema A = SchemaBuilder.record("A").namespace("t").fields().requiredLong("n").requiredString("s")
            .endRecord();
    static final Schema B = SchemaBuilder.record("B").namespace("t").fields().requiredLong("n").endRecord();

    static GenericRecord a(long n) {
        GenericData.Record r = new GenericData.Record(A);
        r.put("n", n);
        r.put("s", "long enough for a fingerprint's place");
        return r;
    }

    static byte[] avroSingleObject(GenericRecord r) throws IOException {
        ByteBuffer bb = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r);
        return Arrays.copyOfRange(bb.array(), bb.arrayOffset() + bb.position(), bb.arrayOffset() + bb.limit());
    }

    static byte[] plain(GenericRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(r.getSchema()).write(r, e);
        e.flush();
        return out.toByteArray();
    }

    @Test
    void headerPlusPlainDatumIsWhatAvrosOwnEncoderWrites() throws IOException {
        GenericRecord r = a(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SingleObjectEncoding.of(A).writeHeader(out);
        out.writeBytes(plain(r));
        assertArrayEquals(avroSingleObject(r), out.toByteArray());
    }

    @Test
    void framesOnlyValuesWithItsOwnFingerprint() throws IOException {
        byte[] framed = avroSingleObject(a(7));
        SingleObjectEncoding enc = SingleObjectEncoding.of(A);
        assertTrue(enc.frames(framed));
        assertEquals(SingleObjectEncoding.HEADER_LENGTH, enc.datumOffset(framed));
        assertTrue(SingleObjectEncoding.hasMarker(framed));
        assertEquals(enc.fingerprint(), SingleObjectEncoding.fingerprintOf(framed));

        SingleObjectEncoding other = SingleObjectEncoding.of(B);
        assertFalse(other.frames(framed), "another schema's fingerprint");
        assertEquals(0, other.datumOffset(framed));
    }

    @Test
    void plainBinaryStartingWithTheMarkerIsPlain() throws IOException {
        GenericRecord r = a(-98); // zig-zag varint of -98 is C3 01
        byte[] p = plain(r);
        assertEquals((byte) 0xC3, p[0]);
        assertEquals(0x01, p[1]);
        assertTrue(SingleObjectEncoding.hasMarker(p));
        assertFalse(SingleObjectEncoding.of(A).frames(p));
        assertEquals(0, SingleObjectEncoding.of(A).datumOffset(p));
    }

    @Test
    void shortValuesHaveNoMarker() {
        assertFalse(SingleObjectEncoding.hasMarker(new byte[] {(byte) 0xC3, 0x01, 1, 2}));
        assertFalse(SingleObjectEncoding.of(A).frames(new byte[0]));
    }
}
