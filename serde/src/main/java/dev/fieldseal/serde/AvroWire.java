package dev.fieldseal.serde;

import dev.fieldseal.record.AvroDecryptor;
import dev.fieldseal.record.AvroEncryptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Avro single-object encoding (the Avro specification's {@code C3 01} marker, the writer schema's
 * 64-bit CRC-64-AVRO fingerprint of its parsing canonical form, little-endian, then the binary
 * datum): each record names its writer schema without a schema registry. Readers resolve the
 * fingerprint among known schemas.
 *
 * <p>Parsing canonical form drops properties, so an encrypted schema whose encrypted fields were
 * all non-null strings has the fingerprint of its plaintext schema; the encrypted form then wins,
 * and its decryptor restores the plaintext schema from the properties.
 */
final class AvroWire {

    private static final byte M0 = (byte) 0xC3;
    private static final byte M1 = 0x01;
    private static final int HEADER = 10;

    /** Writes both the generic representation and Java logical-type classes (BigDecimal, LocalDate, UUID…). */
    private static final GenericData WRITE = new GenericData();

    static {
        WRITE.addLogicalTypeConversion(new Conversions.DecimalConversion());
        WRITE.addLogicalTypeConversion(new Conversions.UUIDConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.DateConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        WRITE.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
    }

    private record Writer(byte[] header, GenericDatumWriter<Object> writer) {
    }

    private final Map<Schema, Writer> writers = new ConcurrentHashMap<>();
    private final Map<Long, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();
    /**
     * For values without the single-object marker (the Streams app writes Avro binary without
     * framing): the reader of the one configured schema, in its encrypted form when derived.
     */
    private volatile GenericDatumReader<GenericRecord> unframedReader;

    static long fingerprint(Schema s) {
        return SchemaNormalization.parsingFingerprint64(s);
    }

    byte[] write(GenericRecord record) {
        Writer w = writers.computeIfAbsent(record.getSchema(), s -> {
            byte[] h = new byte[HEADER];
            h[0] = M0;
            h[1] = M1;
            long fp = fingerprint(s);
            for (int i = 0; i < 8; i++) {
                h[2 + i] = (byte) (fp >>> (8 * i));
            }
            return new Writer(h, new GenericDatumWriter<>(s, WRITE));
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.writeBytes(w.header);
        try {
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            w.writer.write(record, enc);
            enc.flush();
        } catch (IOException | RuntimeException e) {
            // Avro's messages may quote the datum: only the type is reported.
            throw new SerializationException("Record does not match its Avro schema " + record.getSchema().getFullName()
                    + " (" + e.getClass().getSimpleName() + ")");
        }
        return out.toByteArray();
    }

    /** Registers a schema for reading; a later registration with the same fingerprint wins. */
    void register(Schema s) {
        GenericDatumReader<GenericRecord> r = new GenericDatumReader<>(s, s);
        readers.put(fingerprint(s), r);
        unframedReader = r;
    }

    /**
     * Registers every schema file: plaintext schemas as they are and, if {@code encryptor} is given,
     * in their encrypted form too (winning on a fingerprint collision); encrypted schemas as they are.
     */
    void registerFiles(List<String> files, AvroEncryptor encryptor) {
        for (String f : files) {
            Schema s;
            try {
                s = new Schema.Parser().parse(Files.readString(Path.of(f.trim())));
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(SerdeConfig.AVRO_SCHEMA_FILE, f, "Cannot read an Avro schema from it: "
                        + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            register(s);
            if (encryptor != null && !AvroDecryptor.hasEncryptedFields(s) && s.getType() == Schema.Type.RECORD) {
                register(encryptor.outputSchema(s));
            }
        }
        if (files.size() != 1) {
            unframedReader = null; // several candidates: only framed values say which one they are
        }
    }

    GenericRecord read(String topic, byte[] data) {
        if (data.length < HEADER || data[0] != M0 || data[1] != M1) {
            GenericDatumReader<GenericRecord> raw = unframedReader;
            if (raw == null) {
                throw new SerializationException("Value from topic '" + topic + "' is not Avro single-object encoded "
                        + "(it does not start with C3 01), and several schema files are configured.");
            }
            return decode(topic, raw, data, 0);
        }
        long fp = 0;
        for (int i = 7; i >= 0; i--) {
            fp = (fp << 8) | (data[2 + i] & 0xFF);
        }
        GenericDatumReader<GenericRecord> r = readers.get(fp);
        if (r == null) {
            throw new SerializationException("Value from topic '" + topic + "' was written with an Avro schema of "
                    + "fingerprint " + Long.toHexString(fp) + ", which is none of " + SerdeConfig.AVRO_SCHEMA_FILE
                    + " nor their encrypted form (set fieldseal.fields as on the producer, or configure the encrypted "
                    + "schema file).");
        }
        return decode(topic, r, data, HEADER);
    }

    private static GenericRecord decode(String topic, GenericDatumReader<GenericRecord> r, byte[] data, int offset) {
        try {
            return r.read(null, DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Malformed Avro value from topic '" + topic + "' ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
