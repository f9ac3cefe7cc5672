package dev.fieldseal.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.DirectBinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Encodes an Avro datum with its schema: the descriptor is the schema's JSON, the value Avro
 * binary. Layout: see {@code docs/value-codec.md}, section "AVRO family".
 *
 * <p>Encoding accepts both Avro's generic representation (ByteBuffer for decimal, Integer for date,
 * Long for timestamps, CharSequence for uuid) and the logical-type classes (BigDecimal, LocalDate,
 * LocalTime, Instant, LocalDateTime, UUID). Decoding always returns the generic representation,
 * with {@link String} for strings and map keys, the representation a GenericRecord holds.
 */
public final class AvroValueCodec {
    /** JSON nesting allowed in a schema descriptor (records nest about three JSON levels deep). */
    private static final int MAX_JSON_DEPTH = 3 * ConnectValueCodec.MAX_DEPTH;

    private static final GenericData WRITE_DATA = new GenericData();

    static {
        WRITE_DATA.addLogicalTypeConversion(new Conversions.DecimalConversion());
        WRITE_DATA.addLogicalTypeConversion(new Conversions.UUIDConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.DateConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        WRITE_DATA.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
    }

    /** Plain generic data; Avro's fast reader would bypass the String override below. */
    private static final GenericData READ_DATA = new GenericData();

    static {
        READ_DATA.setFastReaderEnabled(false);
    }

    private static final class WriterEntry {
        final byte[] descriptor;
        final GenericDatumWriter<Object> writer;

        WriterEntry(Schema schema) {
            this.descriptor = schema.toString().getBytes(StandardCharsets.UTF_8);
            this.writer = new GenericDatumWriter<>(schema, WRITE_DATA);
        }
    }

    private static final class ReaderEntry {
        final Schema schema;
        final GenericDatumReader<Object> reader;

        ReaderEntry(Schema schema) {
            this.schema = schema;
            this.reader = new StringReader(schema);
        }
    }

    /** Reads strings and map keys as java.lang.String rather than Utf8. */
    private static final class StringReader extends GenericDatumReader<Object> {
        StringReader(Schema schema) {
            super(schema, schema, READ_DATA);
        }

        @Override
        protected Object readString(Object old, Schema expected, Decoder in) throws IOException {
            return in.readString();
        }

        @Override
        protected Object readString(Object old, Decoder in) throws IOException {
            return in.readString();
        }
    }

    /** Per-thread encoder state: an OutputStream onto the thread's writer and a reusable encoder. */
    private static final class Scratch extends OutputStream {
        PlaintextWriter w;
        DirectBinaryEncoder encoder;

        @Override
        public void write(int b) {
            w.writeByte(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            w.writeBytes(b, off, len);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final IdentityCache<Schema, WriterEntry> writers = new IdentityCache<>(256);
    private final BytesCache<ReaderEntry> readers = new BytesCache<>(1024);

    public byte[] encode(Schema schema, Object datum) {
        if (schema == null) {
            throw new CodecException("no Avro schema");
        }
        WriterEntry e = writers.get(schema, WriterEntry::new);
        PlaintextWriter w = PlaintextWriter.local();
        Scratch s = SCRATCH.get();
        try {
            w.writeByte(ValueFamily.AVRO.code());
            w.writeUVarint(e.descriptor.length);
            w.writeBytes(e.descriptor, 0, e.descriptor.length);
            s.w = w;
            s.encoder = (DirectBinaryEncoder) EncoderFactory.get().directBinaryEncoder(s, s.encoder);
            e.writer.write(datum, s.encoder);
            s.encoder.flush();
            s.w = null;
            return w.finish();
        } catch (CodecException ex) {
            s.w = null;
            w.release();
            throw ex;
        } catch (IOException | RuntimeException ex) {
            // Avro's messages may quote the datum; only the exception type is reported.
            s.w = null;
            w.release();
            throw new CodecException("datum does not match Avro schema of type " + schema.getType()
                    + " (" + ex.getClass().getSimpleName() + ")");
        }
    }

    public AvroValue decode(byte[] plaintext) {
        if (ValueFamily.of(plaintext) != ValueFamily.AVRO) {
            throw new CodecException("not an AVRO plaintext: " + ValueFamily.of(plaintext));
        }
        PlaintextReader r = new PlaintextReader(plaintext, 1, plaintext.length);
        int dlen = r.readLength();
        ReaderEntry e = readers.get(plaintext, r.position(), dlen, AvroValueCodec::parse);
        r.skip(dlen);
        int start = r.position();
        AvroBinaryWalk.walk(e.schema, plaintext, start, plaintext.length, null);
        try {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(plaintext, start, plaintext.length - start, null);
            Object datum = e.reader.read(null, d);
            return new AvroValue(e.schema, datum);
        } catch (IOException | RuntimeException ex) {
            throw new CodecException("malformed Avro value of type " + e.schema.getType()
                    + " (" + ex.getClass().getSimpleName() + ")");
        }
    }

    private static ReaderEntry parse(byte[] descriptor) {
        if (descriptor.length == 0) {
            throw new CodecException("empty Avro schema descriptor");
        }
        checkJsonDepth(descriptor);
        try {
            return new ReaderEntry(new Schema.Parser().parse(new String(descriptor, StandardCharsets.UTF_8)));
        } catch (RuntimeException ex) {
            throw new CodecException("malformed Avro schema descriptor (" + ex.getClass().getSimpleName() + ")");
        }
    }

    /** Bounds the schema parser's recursion before it starts. */
    private static void checkJsonDepth(byte[] json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                if (++depth > MAX_JSON_DEPTH) {
                    throw new CodecException("Avro schema descriptor nested too deeply");
                }
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
    }
}
