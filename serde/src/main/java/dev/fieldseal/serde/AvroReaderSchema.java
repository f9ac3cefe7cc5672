package dev.fieldseal.serde;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.fieldseal.config.FieldsealConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The application's reader schema ({@code fieldseal.avro.reader.schema}): a decrypted record is
 * resolved into it with Avro's schema resolution (defaults for fields the writer lacked, writer
 * fields the reader lacks dropped), so that old sealed records read as the newest schema. Resolving
 * readers are cached per writer schema, bounded.
 */
final class AvroReaderSchema {

    private final Schema reader;
    private final Cache<Schema, GenericDatumReader<GenericRecord>> resolvers =
            Caffeine.newBuilder().maximumSize(256).build();

    private AvroReaderSchema(Schema reader) {
        this.reader = reader;
    }

    /** The configured reader schema, or null if unset. */
    static AvroReaderSchema of(String file) {
        if (file == null || file.isBlank()) {
            return null;
        }
        try {
            return new AvroReaderSchema(new Schema.Parser().parse(Files.readString(Path.of(file.trim()))));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(FieldsealConfig.PREFIX + SerdeConfig.AVRO_READER_SCHEMA, file,
                    "Cannot read an Avro schema from it: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    GenericRecord resolve(String topic, GenericRecord record) {
        Schema writer = record.getSchema();
        if (writer.equals(reader)) {
            return record;
        }
        GenericDatumReader<GenericRecord> r = resolvers.get(writer, w -> new GenericDatumReader<>(w, reader));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(writer).write(record, enc);
            enc.flush();
            return r.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException | RuntimeException e) {
            // Avro's messages name fields and types, but may quote defaults; only the class is reported.
            throw new SerializationException("fieldseal: a record from topic '" + topic + "' (schema "
                    + writer.getFullName() + ") cannot be read as " + FieldsealConfig.PREFIX
                    + SerdeConfig.AVRO_READER_SCHEMA + " " + reader.getFullName() + " (" + e.getClass().getSimpleName()
                    + "): the schemas are not compatible.");
        }
    }
}
