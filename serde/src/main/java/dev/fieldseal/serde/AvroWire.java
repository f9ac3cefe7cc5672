package dev.fieldseal.serde;

import dev.fieldseal.model.avro.SingleObjectEncoding;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.model.avro.AvroDecryptor;
import dev.fieldseal.model.avro.AvroEncryptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Avro framings the serdes read and write. Written: Avro single-object encoding (the Avro
 * specification's {@code C3 01} marker, the writer schema's CRC-64-AVRO fingerprint of its parsing
 * canonical form, little-endian, then the binary datum), so that each record names its writer
 * schema without a schema registry; or, when asked, plain binary. Read: single-object encoding
 * whose fingerprint is one of the known schemas, else plain binary of the one configured plain
 * schema ({@code fieldseal.avro.schema}), else a clear refusal.
 *
 * <p>Parsing canonical form drops properties, so an encrypted schema whose encrypted fields were
 * all non-null strings has the fingerprint of its plaintext schema; the encrypted form then wins,
 * and its decryptor restores the plaintext schema from the properties.
 */
final class AvroWire {

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

    private record Writer(SingleObjectEncoding framing, GenericDatumWriter<Object> writer) {
    }

    private final boolean singleObject;
    private final Map<Schema, Writer> writers = new ConcurrentHashMap<>();
    private final Map<Long, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();
    /** The reader of values without framing (fieldseal.avro.schema, in its encrypted form when derived), or null. */
    private GenericDatumReader<GenericRecord> plainReader;

    /** @param singleObject write single-object encoding (else plain binary) */
    AvroWire(boolean singleObject) {
        this.singleObject = singleObject;
    }

    /** Writes single-object encoding. */
    AvroWire() {
        this(true);
    }

    byte[] write(GenericRecord record) {
        Writer w = writers.computeIfAbsent(record.getSchema(),
                s -> new Writer(SingleObjectEncoding.of(s), new GenericDatumWriter<>(s, WRITE)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        if (singleObject) {
            w.framing.writeHeader(out);
        }
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

    /** Registers a schema for single-object reading; a later registration with the same fingerprint wins. */
    private GenericDatumReader<GenericRecord> register(Schema s) {
        GenericDatumReader<GenericRecord> r = new GenericDatumReader<>(s, s);
        readers.put(SingleObjectEncoding.fingerprint(s), r);
        return r;
    }

    /**
     * Registers every schema file for single-object reading: plaintext schemas as they are and, if
     * {@code encryptor} is given, in their encrypted form too (winning on a fingerprint collision);
     * encrypted schemas as they are.
     */
    void registerFiles(List<String> files, AvroEncryptor encryptor) {
        for (String f : files) {
            registerBoth(parse(SerdeConfig.AVRO_SCHEMA_FILE, f), encryptor);
        }
    }

    /**
     * Sets the writer schema of plain binary values (registered for single-object reading too): a
     * plaintext schema is read in its encrypted form when {@code encryptor} is given, as the
     * Streams route's avro.schema is.
     */
    void registerPlain(String file, AvroEncryptor encryptor) {
        plainReader = registerBoth(parse(SerdeConfig.AVRO_SCHEMA, file), encryptor);
    }

    private GenericDatumReader<GenericRecord> registerBoth(Schema s, AvroEncryptor encryptor) {
        GenericDatumReader<GenericRecord> r = register(s);
        if (encryptor != null && !AvroDecryptor.hasEncryptedFields(s) && s.getType() == Schema.Type.RECORD) {
            r = register(encryptor.outputSchema(s));
        }
        return r;
    }

    private static Schema parse(String key, String file) {
        try {
            return new Schema.Parser().parse(Files.readString(Path.of(file.trim())));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(FieldsealConfig.PREFIX + key, file, "Cannot read an Avro schema from it: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Whether any schema is known: without one, no Avro value can be read. */
    boolean hasSchemas() {
        return !readers.isEmpty();
    }

    GenericRecord read(String topic, byte[] data) {
        boolean marked = SingleObjectEncoding.hasMarker(data);
        long fp = marked ? SingleObjectEncoding.fingerprintOf(data) : 0;
        if (marked) {
            GenericDatumReader<GenericRecord> r = readers.get(fp);
            if (r != null) {
                return decode(topic, r, data, SingleObjectEncoding.HEADER_LENGTH);
            }
        }
        GenericDatumReader<GenericRecord> plain = plainReader;
        if (plain != null) {
            try {
                return decode(topic, plain, data, 0);
            } catch (SerializationException e) {
                if (!marked) {
                    throw e;
                }
                // fall through: the message says both what the value names and what it is not
            }
        }
        if (marked) {
            throw new SerializationException("Value from topic '" + topic + "' was written with an Avro schema of "
                    + "fingerprint " + Long.toHexString(fp) + " (single-object encoding), which is none of "
                    + FieldsealConfig.PREFIX + SerdeConfig.AVRO_SCHEMA + " / " + FieldsealConfig.PREFIX
                    + SerdeConfig.AVRO_SCHEMA_FILE + " nor their encrypted form (set fieldseal.fields as on the "
                    + "producer, or configure the encrypted schema file)"
                    + (plain == null ? "." : ", and it is not plain Avro binary of "
                    + plain.getSchema().getFullName() + " either."));
        }
        throw new SerializationException("Value from topic '" + topic + "' is not Avro single-object encoded (it "
                + "does not start with C3 01), and no " + FieldsealConfig.PREFIX + SerdeConfig.AVRO_SCHEMA
                + " names the writer schema of plain Avro binary.");
    }

    private static GenericRecord decode(String topic, GenericDatumReader<GenericRecord> r, byte[] data, int offset) {
        try {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(data, offset, data.length - offset, null);
            GenericRecord out = r.read(null, d);
            if (!d.isEnd()) {
                throw new SerializationException("Value from topic '" + topic + "' has bytes after an Avro record of "
                        + r.getSchema().getFullName() + ": not written with that schema.");
            }
            return out;
        } catch (SerializationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Malformed Avro value from topic '" + topic + "' ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
