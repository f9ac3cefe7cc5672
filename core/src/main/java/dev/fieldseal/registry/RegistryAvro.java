package dev.fieldseal.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro in the Confluent wire format, over a {@link SchemaRegistryClient}: reading takes the writer
 * schema by the value's id; writing registers (or looks up) the record's schema under its subject
 * and frames the datum with that id. A framing around the Avro walkers, as single-object encoding
 * is: the walkers see {@link GenericRecord}s and never the registry.
 *
 * <p>Parsed writer schemas are cached by id and ids by (topic, schema object), both bounded, so a
 * steady stream costs no registry call and no schema parse or {@code toString} per record. The
 * schema objects the walkers hand back are their own cached outputs, so identity is stable.
 * Thread-safe.
 */
public final class RegistryAvro {

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

    /** A value read: its schema id, the writer schema and the record. */
    public record Read(int id, Schema writer, GenericRecord record) {
    }

    private record Reader(Schema schema, GenericDatumReader<GenericRecord> reader) {
    }

    /** A schema object written to a topic, compared by identity (its {@code equals} walks the whole schema). */
    private static final class TopicSchema {
        final String topic;
        final Schema schema;

        TopicSchema(String topic, Schema schema) {
            this.topic = topic;
            this.schema = schema;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TopicSchema t && t.schema == schema && t.topic.equals(topic);
        }

        @Override
        public int hashCode() {
            return 31 * topic.hashCode() + System.identityHashCode(schema);
        }
    }

    private final SchemaRegistryClient client;
    private final SubjectNameStrategy strategy;
    private final boolean isKey;
    private final Cache<Integer, Reader> readers;
    private final Cache<TopicSchema, Integer> ids;
    private final Cache<Schema, GenericDatumWriter<Object>> writers;

    public RegistryAvro(SchemaRegistryClient client, SubjectNameStrategy strategy, boolean isKey, int capacity) {
        this.client = client;
        this.strategy = strategy;
        this.isKey = isKey;
        this.readers = Caffeine.newBuilder().maximumSize(capacity).build();
        this.ids = Caffeine.newBuilder().maximumSize(capacity).build();
        this.writers = Caffeine.newBuilder().maximumSize(capacity).build();
    }

    /** From registry settings: a client of its own, the key or value subject strategy. */
    public static RegistryAvro of(RegistryConfig config, boolean isKey) {
        return new RegistryAvro(SchemaRegistryClient.create(config), config.strategy(isKey), isKey,
                config.getInt(RegistryConfig.CACHE_CAPACITY));
    }

    public SchemaRegistryClient client() {
        return client;
    }

    /** The subject {@code schema} is registered under when written to {@code topic}. */
    public String subject(String topic, Schema schema) {
        return strategy.subject(topic, isKey, schema);
    }

    /**
     * Reads a framed value.
     *
     * @throws IllegalArgumentException if it is not in the Confluent wire format, names a schema that
     *         is not Avro, or is not Avro binary of the schema it names (messages name ids and types only)
     * @throws RegistryException if the registry cannot say what the id is
     */
    public Read read(byte[] data) {
        Reader r = reader(data);
        int id = ConfluentFraming.schemaId(data);
        BinaryDecoder d = DecoderFactory.get().binaryDecoder(data, ConfluentFraming.HEADER_LENGTH,
                data.length - ConfluentFraming.HEADER_LENGTH, null);
        GenericRecord out;
        boolean end;
        try {
            out = r.reader.read(null, d);
            end = d.isEnd();
        } catch (IOException | RuntimeException e) {
            // Avro's messages may quote the datum: only the type is reported.
            throw new IllegalArgumentException("Value is not Avro binary of schema id " + id + " ("
                    + r.schema.getFullName() + "): " + e.getClass().getSimpleName() + ".");
        }
        if (!end) {
            throw new IllegalArgumentException("Value has bytes after an Avro record of schema id " + id + " ("
                    + r.schema.getFullName() + "): not written with that schema.");
        }
        return new Read(id, r.schema, out);
    }

    /** The writer schema a framed value names (cached; one registry call per distinct id). */
    public Schema writerSchema(byte[] data) {
        return reader(data).schema;
    }

    private Reader reader(byte[] data) {
        if (!ConfluentFraming.framed(data)) {
            throw new IllegalArgumentException("Value is not in the Confluent wire format (magic byte 0 and a 4-byte "
                    + "schema id): " + (data.length < ConfluentFraming.HEADER_LENGTH ? "shorter than 5 bytes."
                    : "it starts with byte " + (data[0] & 0xFF) + "."));
        }
        int id = ConfluentFraming.schemaId(data);
        return readers.get(id, i -> {
            SchemaRegistryClient.Registered s = client.schemaById(i);
            if (!SchemaRegistryClient.AVRO.equals(s.type())) {
                throw new IllegalArgumentException("Schema id " + i + " in " + client.registry() + " is a "
                        + s.type() + " schema, not Avro.");
            }
            Schema schema;
            try {
                schema = new Schema.Parser().parse(s.schema());
            } catch (SchemaParseException e) {
                throw new IllegalArgumentException("Schema id " + i + " in " + client.registry()
                        + " is not a valid Avro schema.");
            }
            return new Reader(schema, new GenericDatumReader<>(schema, schema));
        });
    }

    /** The id of {@code schema} under its subject for {@code topic}: registered or looked up once, then cached. */
    public int idFor(String topic, Schema schema) {
        return ids.get(new TopicSchema(topic, schema),
                k -> client.idFor(subject(topic, schema), SchemaRegistryClient.AVRO, schema.toString()));
    }

    /** Writes {@code record} framed with the id of its schema under the topic's subject. */
    public byte[] write(String topic, GenericRecord record) {
        Schema schema = record.getSchema();
        int id = idFor(topic, schema);
        GenericDatumWriter<Object> w = writers.get(schema, s -> new GenericDatumWriter<>(s, WRITE));
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        ConfluentFraming.writeHeader(out, id);
        try {
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            w.write(record, enc);
            enc.flush();
        } catch (IOException | RuntimeException e) {
            // Avro's messages may quote the datum: only the type is reported.
            throw new IllegalArgumentException("Record does not match its Avro schema " + schema.getFullName() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return out.toByteArray();
    }
}
