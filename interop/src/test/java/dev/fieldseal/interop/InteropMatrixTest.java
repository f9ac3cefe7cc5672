package dev.fieldseal.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.connect.DecryptFields;
import dev.fieldseal.connect.EncryptFields;
import dev.fieldseal.dek.DeterministicDekTool;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.field.FieldPath;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.interop.InteropCell.Family;
import dev.fieldseal.interop.InteropCell.Format;
import dev.fieldseal.interop.InteropCell.KeyType;
import dev.fieldseal.interop.InteropCell.Mode;
import dev.fieldseal.interop.InteropCell.Part;
import dev.fieldseal.interop.InteropCell.Placement;
import dev.fieldseal.interop.InteropCell.Writer;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.kms.local.LocalKeyFile;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.avro.AvroEncryptor;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import dev.fieldseal.scan.RecordScan;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop matrix ({@code docs/interop.md}): every writer × reader × placement × key type ×
 * field mode that {@link InteropCells} lists, on one real broker and the Key Vault double (an RSA
 * key and an oct-HSM key, real TLS) plus a {@code local:} key.
 *
 * <p>To stay fast, the records of many cells share few topics and few deployments: each writer
 * family writes {@value #RECORDS} records per key type and placement into one topic; one Streams
 * deployment per key type and placement encrypts every format (one route each), one re-keys, two
 * decrypt every sealed topic. Each cell then checks, on what was read once: the reader restores
 * every key or value exactly (and its schema where the reader has one), the field of the cell's
 * mode is sealed (records 0 and 1 hold equal plaintext: equal envelopes when deterministic,
 * different ones when randomized), no plaintext is on the wire, and every record's
 * {@code fieldseal.kek.*} headers name exactly the versions its envelopes use.
 *
 * <p>The Connect transforms are applied as a worker applies them ({@link WorkerFormats}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteropMatrixTest {

    static final int RECORDS = 3;
    static final String SSN = "912-34-5678";
    static final String EMAIL = "grace.matrix@example.org";
    static final String WHOLE = "Grace Hopper, " + SSN;
    static final String WHOLE_KEY = "key:" + EMAIL;

    static final Schema CONNECT_KEY = SchemaBuilder.struct().name("dev.fieldseal.interop.MatrixKey")
            .field("email", Schema.STRING_SCHEMA).field("ref", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema CONNECT_VALUE = SchemaBuilder.struct().name("dev.fieldseal.interop.MatrixCustomer")
            .field("id", Schema.INT64_SCHEMA)
            .field("ssn", Schema.OPTIONAL_STRING_SCHEMA)
            .field("tag", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .build();
    static final org.apache.avro.Schema AVRO_VALUE = new org.apache.avro.Schema.Parser().parse("""
            {"type":"record","name":"MatrixCustomer","namespace":"dev.fieldseal.interop","fields":[
              {"name":"id","type":"long"},
              {"name":"ssn","type":["null","string"],"default":null},
              {"name":"tag","type":"string"},
              {"name":"name","type":"string"}]}""");
    /** The JSON Schema of the JSON values, for the json-confluent writers. */
    static final String JSON_SCHEMA = """
            {"title":"MatrixCustomer","type":"object","properties":{
              "id":{"type":"integer"},"ssn":{"type":["string","null"]},"tag":{"type":"string"},
              "name":{"type":"string"}}}""";

    static final ObjectMapper JSON = new ObjectMapper();

    KafkaBroker broker;
    KeyVaultDouble vault;
    /** The registry of the avro-confluent and json-confluent cells, one for the class. */
    SchemaRegistryDouble registry;
    Path jsonSchemaFile;
    TopicIo topics;
    @TempDir
    static Path dir;
    Path localKeys;
    Path avroSchemaFile;
    final Map<KeyType, String> deterministicDeks = new EnumMap<>(KeyType.class);
    String rekeyedVersion;
    /** Every sealed topic as written (or re-keyed), and every Streams decrypt output: read once. */
    final Map<String, List<ConsumerRecord<byte[], byte[]>>> read = new ConcurrentHashMap<>();

    // ---- the run: write everything, re-key, decrypt with Streams -----------------------------------

    @BeforeAll
    void run() throws Exception {
        broker = KafkaBroker.start();
        topics = new TopicIo(broker);
        vault = new KeyVaultDouble();
        vault.createRsaKey("rsa-kek");
        vault.createOctHsmKey("oct-kek");
        localKeys = dir.resolve("local-keys.json");
        LocalKeyFile.addVersion(localKeys, "local-kek");
        avroSchemaFile = dir.resolve("matrix-customer.avsc");
        Files.writeString(avroSchemaFile, AVRO_VALUE.toString(true));
        registry = SchemaRegistryDouble.http();
        jsonSchemaFile = dir.resolve("matrix-customer.schema.json");
        Files.writeString(jsonSchemaFile, JSON_SCHEMA);
        for (KeyType k : KeyType.values()) {
            try (Kms kms = kms(k)) {
                deterministicDeks.put(k, DeterministicKey.create(kms, kekId(k)));
            }
        }

        List<String> all = new ArrayList<>(List.of("plain.json", "plain.string", "plain.avro", "plain.avro-cf",
                "plain.json-cf", "dlq"));
        for (Family f : Family.values()) {
            for (KeyType k : KeyType.values()) {
                for (Placement p : Placement.values()) {
                    if (InteropCells.runs(f, k, p)) {
                        all.add(f.topic(k, p));
                        all.add("opened." + f.topic(k, p));
                    }
                }
            }
        }
        topics.create(all);

        writePlainInputs();
        List<StreamsService> encrypting = new ArrayList<>();
        try {
            for (KeyType k : KeyType.values()) {
                for (Placement p : Placement.values()) {
                    encrypting.add(StreamsService.start(AppSettings.parse(streamsEncrypt(k, p))));
                }
            }
            for (KeyType k : KeyType.values()) {
                for (Placement p : Placement.values()) {
                    writeWithConnect(k, p);
                    writeWithSerializers(k, p);
                }
            }
            for (Family f : List.of(Family.STREAMS_JSON, Family.STREAMS_STRING, Family.STREAMS_AVRO,
                    Family.STREAMS_AVRO_CF, Family.STREAMS_JSON_CF)) {
                for (KeyType k : KeyType.values()) {
                    for (Placement p : Placement.values()) {
                        if (InteropCells.runs(f, k, p)) {
                            readOnce(f.topic(k, p));
                        }
                    }
                }
            }
        } finally {
            encrypting.forEach(StreamsService::close);
        }

        // Re-key: rotate, then move what the serializer and the transforms wrote to the new version.
        KeyType rk = InteropCells.REKEY_KEY;
        rekeyedVersion = vault.rotate("rsa-kek");
        try (Kms kms = kms(rk)) {
            deterministicDeks.put(rk, DeterministicDekTool.rewrap(kms, kekId(rk), deterministicDeks.get(rk)));
        }
        try (StreamsService rekey = StreamsService.start(AppSettings.parse(streamsRekey()))) {
            for (Family f : Family.values()) {
                if (f.rekeyed()) {
                    for (Placement p : Placement.values()) {
                        readOnce(f.topic(rk, p));
                    }
                }
            }
        }

        // Streams decrypt: one deployment for the Key Vault keys, one for the local key.
        List<StreamsService> decrypting = new ArrayList<>();
        try {
            decrypting.add(StreamsService.start(AppSettings.parse(streamsDecrypt(true))));
            decrypting.add(StreamsService.start(AppSettings.parse(streamsDecrypt(false))));
            for (Family f : Family.values()) {
                for (KeyType k : KeyType.values()) {
                    for (Placement p : Placement.values()) {
                        if (InteropCells.runs(f, k, p)) {
                            readOnce(f.topic(k, p));
                            read.put("opened." + f.topic(k, p), topics.read("opened." + f.topic(k, p), RECORDS));
                        }
                    }
                }
            }
        } finally {
            decrypting.forEach(StreamsService::close);
        }
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readOnce(String topic) {
        return read.computeIfAbsent(topic, t -> topics.read(t, RECORDS));
    }

    // ---- the cells ---------------------------------------------------------------------------------

    static List<InteropCell> roundTrips() {
        return InteropCells.roundTrips();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTrips")
    void roundTrip(InteropCell cell) throws Exception {
        String topic = cell.writer().family.topic(cell.keyType(), cell.placement());
        List<ConsumerRecord<byte[], byte[]>> sealed = read.get(topic);
        assertEquals(RECORDS, sealed.size(), topic);
        assertSealed(cell, sealed);
        List<Object> opened = switch (cell.reader()) {
            case DECRYPT_FIELDS -> withDecryptFields(cell, sealed);
            case DESERIALIZER -> withDeserializer(cell, sealed);
            case STREAMS_DECRYPT -> fromStreams(cell, read.get("opened." + topic));
        };
        for (int i = 0; i < RECORDS; i++) {
            assertEquals(expected(cell.writer(), i), opened.get(i), cell + ": record " + i);
        }
    }

    /** The cell's field is sealed in its mode, nothing sensitive is in plaintext, headers match envelopes. */
    private void assertSealed(InteropCell cell, List<ConsumerRecord<byte[], byte[]>> sealed) throws IOException {
        Writer w = cell.writer();
        List<byte[]> envelopes = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : sealed) {
            byte[] bytes = w.part == Part.KEY ? r.key() : r.value();
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(SSN) || text.contains(EMAIL), cell + ": plaintext on the wire");
            Located at = null;
            for (Located l : locate(w, bytes)) {
                if (l.path().equals(sealedPath(w, cell.mode())) || l.path().endsWith("." + sealedPath(w, cell.mode()))) {
                    at = l;
                }
            }
            assertNotNull(at, cell + ": no envelope at '" + sealedPath(w, cell.mode()) + "' in record " + r.offset());
            envelopes.add(at.envelope());
            RecordScan scan = RecordScan.of(r.headers(), EnvelopeLocator.auto(keyOrNull(r.key())), locate(w.part == Part.VALUE ? w : null, r.value()));
            assertEquals(0, scan.malformed(), cell + ": malformed envelopes");
            assertEquals(null, scan.mismatch(), cell + ": fieldseal.kek.* headers vs envelopes");
            if (w.family.rekeyed()) {
                Set<String> versions = new TreeSet<>();
                scan.keks().forEach(k -> versions.add(k.version()));
                assertEquals(Set.of(rekeyedVersion), versions, cell + ": re-keyed to the newest version");
            }
        }
        if (cell.mode() == Mode.DETERMINISTIC) {
            assertArrayEquals(envelopes.get(0), envelopes.get(1), cell + ": equal plaintext, equal envelope");
            assertFalse(java.util.Arrays.equals(envelopes.get(0), envelopes.get(2)), cell + ": other plaintext");
        } else {
            assertFalse(java.util.Arrays.equals(envelopes.get(0), envelopes.get(1)), cell + ": randomized");
        }
    }

    private static byte[] keyOrNull(byte[] key) {
        return key != null && (EnvelopeLocator.whole(key) != null || EnvelopeLocator.looksLikeJson(key)) ? key : null;
    }

    /** The envelopes of a key, or of a value as its writer wrote it (null writer: JSON or whole, found by looking). */
    private List<Located> locate(Writer w, byte[] bytes) throws IOException {
        if (w != null && w.part == Part.VALUE && w.format == Format.AVRO) {
            org.apache.avro.Schema sealedSchema = new AvroEncryptor(null, selection(), null).outputSchema(AVRO_VALUE);
            int offset = bytes.length > 1 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01 ? 10 : 0;
            return EnvelopeLocator.avro(sealedSchema, bytes, offset);
        }
        if (w != null && w.format == Format.AVRO_CONFLUENT) {
            org.apache.avro.Schema writer = new org.apache.avro.Schema.Parser().parse(
                    registry.schema(ConfluentFraming.schemaId(bytes)));
            return EnvelopeLocator.avro(writer, bytes, ConfluentFraming.HEADER_LENGTH);
        }
        if (w != null && w.format == Format.JSON_CONFLUENT) {
            return EnvelopeLocator.json(RegistryJson.payload(bytes));
        }
        return EnvelopeLocator.auto(bytes);
    }

    private static String sealedPath(Writer w, Mode m) {
        if (w.whole()) {
            return "";
        }
        if (w.part == Part.KEY) {
            return m == Mode.DETERMINISTIC ? "email" : "ref";
        }
        return m == Mode.DETERMINISTIC ? "tag" : "ssn";
    }

    // ---- readers -----------------------------------------------------------------------------------

    private List<Object> withDecryptFields(InteropCell cell, List<ConsumerRecord<byte[], byte[]>> sealed) {
        Writer w = cell.writer();
        boolean key = w.part == Part.KEY;
        Converter converter = converter(w.format, key);
        Map<String, Object> props = kekProps(cell.keyType());
        List<Object> out = new ArrayList<>();
        try (DecryptFields<SinkRecord> t = key ? new DecryptFields.Key<>() : new DecryptFields.Value<>()) {
            t.configure(props);
            for (ConsumerRecord<byte[], byte[]> r : sealed) {
                SchemaAndValue sv = converter.toConnectData(r.topic(), key ? r.key() : r.value());
                SinkRecord in = key
                        ? new SinkRecord(r.topic(), r.partition(), sv.schema(), sv.value(), null, null, r.offset(),
                                r.timestamp(), null, WorkerFormats.toConnect(r))
                        : new SinkRecord(r.topic(), r.partition(), null, null, sv.schema(), sv.value(), r.offset(),
                                r.timestamp(), null, WorkerFormats.toConnect(r));
                SinkRecord opened = t.apply(in);
                Schema schema = key ? opened.keySchema() : opened.valueSchema();
                Object value = key ? opened.key() : opened.value();
                if (w.format == Format.CONNECT_STRUCT) {
                    assertEquals(key ? CONNECT_KEY : CONNECT_VALUE, schema, cell + ": schema restored");
                }
                out.add(asWritten(w, converter.fromConnectData(r.topic(), schema, value)));
            }
        }
        return out;
    }

    private List<Object> withDeserializer(InteropCell cell, List<ConsumerRecord<byte[], byte[]>> sealed) {
        Writer w = cell.writer();
        Map<String, Object> p = new HashMap<>();
        kekProps(cell.keyType()).forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v));
        p.put("fieldseal.format", switch (w.format) {
            case STRING -> "string";
            case AVRO -> "avro";
            case AVRO_CONFLUENT -> "avro-confluent";
            case JSON_CONFLUENT -> "json-confluent";
            default -> "json";
        });
        p.put(RegistryConfig.URL, registry.url());
        if (w.format == Format.AVRO) {
            p.put("fieldseal.avro.schema.file", avroSchemaFile.toString()); // single-object values (the serializer)
            p.put("fieldseal.avro.schema", avroSchemaFile.toString()); // plain binary (the Streams app from plain input)
            p.put("fieldseal.fields", "ssn");
            p.put("fieldseal.deterministic.fields", "tag");
        }
        List<Object> out = new ArrayList<>();
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(p, w.part == Part.KEY);
            for (ConsumerRecord<byte[], byte[]> r : sealed) {
                Object o = d.deserialize(r.topic(), r.headers(), w.part == Part.KEY ? r.key() : r.value());
                out.add(o instanceof GenericRecord g ? g : asWritten(w, o.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private List<Object> fromStreams(InteropCell cell, List<ConsumerRecord<byte[], byte[]>> opened) throws IOException {
        Writer w = cell.writer();
        assertEquals(RECORDS, opened.size(), cell + ": records out of Streams decrypt");
        List<Object> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : opened) {
            byte[] b = w.part == Part.KEY ? r.key() : r.value();
            if (w.format == Format.AVRO_CONFLUENT || w.format == Format.JSON_CONFLUENT) {
                // re-framed with the id of the plaintext schema
                String schema = registry.schema(ConfluentFraming.schemaId(b));
                if (w.format == Format.AVRO_CONFLUENT) {
                    assertEquals(AVRO_VALUE, new org.apache.avro.Schema.Parser().parse(schema), cell + ": plaintext schema");
                    out.add(new GenericDatumReader<GenericRecord>(AVRO_VALUE).read(null, DecoderFactory.get()
                            .binaryDecoder(b, ConfluentFraming.HEADER_LENGTH, b.length - ConfluentFraming.HEADER_LENGTH,
                                    null)));
                } else {
                    assertEquals(JSON.readTree(JSON_SCHEMA), JSON.readTree(schema), cell + ": plaintext schema");
                    out.add(asWritten(w, RegistryJson.payload(b)));
                }
                continue;
            }
            out.add(w.format == Format.AVRO ? readAvro(b) : asWritten(w, b));
        }
        return out;
    }

    /** Opened bytes in the form {@link #expected} compares: JSON as a tree (spacing is not the cell's concern), strings as text. */
    private static Object asWritten(Writer w, byte[] bytes) {
        if (w.format == Format.STRING) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return "not JSON: " + new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static GenericRecord readAvro(byte[] b) throws IOException {
        if (b.length > 1 && b[0] == (byte) 0xC3 && b[1] == 0x01) {
            return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), AVRO_VALUE).decode(b);
        }
        return new GenericDatumReader<GenericRecord>(AVRO_VALUE).read(null, DecoderFactory.get().binaryDecoder(b, null));
    }

    private static Converter converter(Format f, boolean key) {
        if (f == Format.STRING) {
            StringConverter c = new StringConverter();
            c.configure(Map.of(), key);
            return c;
        }
        return WorkerFormats.json(f == Format.CONNECT_STRUCT, key);
    }

    // ---- what went in --------------------------------------------------------------------------------

    private static boolean twin(int i) {
        return i < 2; // records 0 and 1 hold equal plaintext
    }

    static String email(int i) {
        return twin(i) ? EMAIL : "ada.matrix@example.org";
    }

    static String ssn(int i) {
        return twin(i) ? SSN : "900-00-0002";
    }

    static String tag(int i) {
        return twin(i) ? "gold" : "silver";
    }

    static Struct connectKey(int i) {
        return new Struct(CONNECT_KEY).put("email", email(i)).put("ref", twin(i) ? "r-7" : "r-9");
    }

    static Struct connectValue(int i) {
        return new Struct(CONNECT_VALUE).put("id", (long) i).put("ssn", ssn(i)).put("tag", tag(i)).put("name", "Grace " + i);
    }

    static Map<String, Object> mapValue(int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", (long) i);
        m.put("ssn", ssn(i));
        m.put("tag", tag(i));
        m.put("name", "Grace " + i);
        return m;
    }

    static String jsonKey(int i) {
        return "{\"email\":\"" + email(i) + "\", \"ref\":\"" + (twin(i) ? "r-7" : "r-9") + "\"}";
    }

    static String jsonValue(int i) {
        return "{\"id\": " + i + ", \"ssn\":\"" + ssn(i) + "\", \"tag\":\"" + tag(i) + "\", \"name\":\"Grace " + i + "\"}";
    }

    static String wholeValue(int i) {
        return twin(i) ? WHOLE : "Ada Lovelace, 900-00-0002";
    }

    static String wholeKey(int i) {
        return twin(i) ? WHOLE_KEY : "key:ada.matrix@example.org";
    }

    static GenericRecord avroValue(int i) {
        GenericRecord g = new GenericData.Record(AVRO_VALUE);
        g.put("id", (long) i);
        g.put("ssn", ssn(i));
        g.put("tag", tag(i));
        g.put("name", "Grace " + i);
        return g;
    }

    /** What a reader must give back for record {@code i} of a writer, in the form {@link #asWritten} makes. */
    static Object expected(Writer w, int i) {
        Family f = w.family.rekeyed() ? w.family.source : w.family;
        boolean key = w.part == Part.KEY;
        return switch (f) {
            case SMT_STRUCT -> asWritten(w, key
                    ? WorkerFormats.json(true, true).fromConnectData("t", CONNECT_KEY, connectKey(i))
                    : WorkerFormats.json(true, false).fromConnectData("t", CONNECT_VALUE, connectValue(i)));
            case SMT_MAP -> asWritten(w, WorkerFormats.json(false, false).fromConnectData("t", null, mapValue(i)));
            case SERDE_JSON, STREAMS_JSON, SERDE_JSON_CF, STREAMS_JSON_CF -> asWritten(w, bytes(key ? jsonKey(i) : jsonValue(i)));
            case SERDE_STRING, STREAMS_STRING -> key ? wholeKey(i) : wholeValue(i);
            case SERDE_AVRO, STREAMS_AVRO, SERDE_AVRO_CF, STREAMS_AVRO_CF -> avroValue(i);
            default -> throw new IllegalArgumentException(f.name());
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the writers -------------------------------------------------------------------------------

    private static byte[] framed(int id, byte[] datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfluentFraming.writeHeader(out, id);
        out.writeBytes(datum);
        return out.toByteArray();
    }

    private void writePlainInputs() throws IOException {
        // the plaintext producers of the registry framings registered their schemas as a registry-aware serde would
        int avroId = registry.register("plain.avro-cf-value", "AVRO", AVRO_VALUE.toString());
        int jsonId = registry.register("plain.json-cf-value", "JSON", JSON_SCHEMA);
        try (KafkaProducer<byte[], byte[]> p = topics.producer()) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>("plain.json", bytes(jsonKey(i)), bytes(jsonValue(i))));
                p.send(new ProducerRecord<>("plain.string", bytes(wholeKey(i)), bytes(wholeValue(i))));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                var enc = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<GenericRecord>(AVRO_VALUE).write(avroValue(i), enc);
                enc.flush();
                p.send(new ProducerRecord<>("plain.avro", bytes(wholeKey(i)), out.toByteArray()));
                p.send(new ProducerRecord<>("plain.avro-cf", bytes(wholeKey(i)), framed(avroId, out.toByteArray())));
                p.send(new ProducerRecord<>("plain.json-cf", bytes(jsonKey(i)), RegistryJson.frame(jsonId,
                        bytes(jsonValue(i)))));
            }
            p.flush();
        }
    }

    private void writeWithConnect(KeyType k, Placement pl) {
        Map<String, Object> key = kekProps(k);
        key.put(FieldsealConfig.ENVELOPE_PLACEMENT, pl.id);
        key.put(FieldsealConfig.DETERMINISTIC_DEK, deterministicDeks.get(k));
        Map<String, Object> value = new HashMap<>(key);
        key.put(FieldsealConfig.FIELDS, "ref");
        key.put(FieldsealConfig.DETERMINISTIC_FIELDS, "email");
        value.put(FieldsealConfig.FIELDS, "ssn");
        value.put(FieldsealConfig.DETERMINISTIC_FIELDS, "tag");
        try (EncryptFields.Key<SourceRecord> kt = new EncryptFields.Key<>();
             EncryptFields.Value<SourceRecord> vt = new EncryptFields.Value<>();
             KafkaProducer<byte[], byte[]> p = topics.producer()) {
            kt.configure(key);
            vt.configure(value);
            String struct = Family.SMT_STRUCT.topic(k, pl);
            String map = Family.SMT_MAP.topic(k, pl);
            var keys = WorkerFormats.json(true, true);
            var values = WorkerFormats.json(true, false);
            var schemaless = WorkerFormats.json(false, false);
            for (int i = 0; i < RECORDS; i++) {
                SourceRecord s = vt.apply(kt.apply(new SourceRecord(Map.of(), Map.of(), struct, null,
                        CONNECT_KEY, connectKey(i), CONNECT_VALUE, connectValue(i))));
                p.send(new ProducerRecord<>(struct, null, keys.fromConnectData(struct, s.keySchema(), s.key()),
                        values.fromConnectData(struct, s.valueSchema(), s.value()), WorkerFormats.toKafka(s)));
                SourceRecord m = vt.apply(new SourceRecord(Map.of(), Map.of(), map, null, null, null, null, mapValue(i)));
                p.send(new ProducerRecord<>(map, null, (byte[]) null, schemaless.fromConnectData(map, null, m.value()),
                        (Iterable<org.apache.kafka.common.header.Header>) WorkerFormats.toKafka(m)));
            }
            p.flush();
        }
    }

    private void writeWithSerializers(KeyType k, Placement pl) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, topics.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        kekProps(k).forEach((n, v) -> p.put(FieldsealConfig.PREFIX + n, v));
        p.put("fieldseal.envelope.placement", pl.id);
        p.put("fieldseal.deterministic.dek", deterministicDeks.get(k));
        Map<String, Object> jsonKeys = new HashMap<>(p);
        jsonKeys.put("fieldseal.format", "json");
        jsonKeys.put("fieldseal.fields", "ref");
        jsonKeys.put("fieldseal.deterministic.fields", "email");
        Map<String, Object> jsonValues = new HashMap<>(p);
        jsonValues.put("fieldseal.format", "json");
        jsonValues.put("fieldseal.fields", "ssn");
        jsonValues.put("fieldseal.deterministic.fields", "tag");
        Map<String, Object> avroValues = new HashMap<>(jsonValues);
        avroValues.put("fieldseal.format", "avro");
        Map<String, Object> avroCf = new HashMap<>(jsonValues);
        avroCf.put("fieldseal.format", "avro-confluent");
        avroCf.put(RegistryConfig.URL, registry.url());
        Map<String, Object> jsonCf = new HashMap<>(avroCf);
        jsonCf.put("fieldseal.format", "json-confluent");
        jsonCf.put("fieldseal.json.schema.file", jsonSchemaFile.toString());
        Map<String, Object> strings = new HashMap<>(p);
        strings.put("fieldseal.format", "string");
        send(p, jsonKeys, jsonValues, Family.SERDE_JSON.topic(k, pl), i -> jsonKey(i), i -> jsonValue(i));
        send(p, strings, strings, Family.SERDE_STRING.topic(k, pl), i -> wholeKey(i), i -> wholeValue(i));
        send(p, jsonKeys, avroValues, Family.SERDE_AVRO.topic(k, pl), i -> jsonKey(i), i -> avroValue(i));
        if (InteropCells.runs(Family.SERDE_AVRO_CF, k, pl)) {
            send(p, jsonKeys, avroCf, Family.SERDE_AVRO_CF.topic(k, pl), i -> jsonKey(i), i -> avroValue(i));
            send(p, jsonKeys, jsonCf, Family.SERDE_JSON_CF.topic(k, pl), i -> jsonKey(i), i -> jsonValue(i));
        }
    }

    private static void send(Map<String, Object> producer, Map<String, Object> keyProps, Map<String, Object> valueProps,
            String topic, java.util.function.IntFunction<Object> key, java.util.function.IntFunction<Object> value) {
        EncryptingSerializer keys = new EncryptingSerializer();
        keys.configure(keyProps, true);
        EncryptingSerializer values = new EncryptingSerializer();
        values.configure(valueProps, false);
        try (KafkaProducer<Object, Object> p = new KafkaProducer<>(producer, keys, values)) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>(topic, key.apply(i), value.apply(i)));
            }
            p.flush();
        }
    }

    private Map<String, String> streamsEncrypt(KeyType k, Placement pl) {
        Map<String, Object> f = kekProps(k);
        f.put(FieldsealConfig.ENVELOPE_PLACEMENT, pl.id);
        f.put(FieldsealConfig.DETERMINISTIC_DEK, deterministicDeks.get(k));
        f.put(FieldsealConfig.DETERMINISTIC_FIELDS, "tag");
        f.put("dlq.topic", "dlq");
        f.put("routes", "json,string,avro");
        route(f, "json", "plain.json", Family.STREAMS_JSON.topic(k, pl), "json");
        f.put("route.json.fields", "ssn");
        f.put("route.json.key.format", "json");
        f.put("route.json.key.fields", "email");
        route(f, "string", "plain.string", Family.STREAMS_STRING.topic(k, pl), "string");
        f.put("route.string.key.format", "string");
        f.put("route.string.key.randomized", "true");
        route(f, "avro", "plain.avro", Family.STREAMS_AVRO.topic(k, pl), "avro");
        f.put("route.avro.fields", "ssn");
        f.put("route.avro.avro.schema", avroSchemaFile.toString());
        f.put("route.avro.key.format", "string");
        if (InteropCells.runs(Family.STREAMS_AVRO_CF, k, pl)) {
            f.put("routes", "json,string,avro,avrocf,jsoncf");
            route(f, "avrocf", "plain.avro-cf", Family.STREAMS_AVRO_CF.topic(k, pl), "avro-confluent");
            f.put("route.avrocf.fields", "ssn");
            route(f, "jsoncf", "plain.json-cf", Family.STREAMS_JSON_CF.topic(k, pl), "json-confluent");
            f.put("route.jsoncf.fields", "ssn");
        }
        return withRegistry(StreamsRuns.base(topics.bootstrapServers(), "matrix-encrypt-" + k.id + "-" + pl.id,
                "encrypt", false, f));
    }

    private Map<String, String> streamsRekey() {
        KeyType k = InteropCells.REKEY_KEY;
        Map<String, Object> f = kekProps(k);
        f.put(FieldsealConfig.DETERMINISTIC_DEK, deterministicDeks.get(k));
        f.put("dlq.topic", "dlq");
        List<String> names = new ArrayList<>();
        for (Family fam : Family.values()) {
            if (fam.rekeyed()) {
                for (Placement pl : Placement.values()) {
                    String name = fam.id + "-" + pl.id;
                    names.add(name);
                    route(f, name, fam.source.topic(k, pl), fam.topic(k, pl), "json");
                }
            }
        }
        f.put("routes", String.join(",", names));
        return StreamsRuns.base(topics.bootstrapServers(), "matrix-rekey", "rekey", true, f);
    }

    /** Streams decrypt of every sealed topic of the Key Vault keys, or of the local key, into {@code opened.*}. */
    private Map<String, String> streamsDecrypt(boolean keyVault) {
        String prefix = "opened.";
        KeyType main = keyVault ? KeyType.RSA : KeyType.LOCAL;
        Map<String, Object> f = kekProps(main);
        if (keyVault) {
            f.put(FieldsealConfig.KEK_ALLOWED, vault.keyId("rsa-kek") + "," + vault.keyId("oct-kek"));
        }
        f.put("dlq.topic", "dlq");
        List<String> names = new ArrayList<>();
        for (Family fam : Family.values()) {
            for (KeyType k : KeyType.values()) {
                if ((k == KeyType.LOCAL) == keyVault) {
                    continue;
                }
                for (Placement pl : Placement.values()) {
                    if (!InteropCells.runs(fam, k, pl)) {
                        continue;
                    }
                    String name = fam.id + "-" + k.id + "-" + pl.id;
                    names.add(name);
                    String format = fam == Family.SERDE_STRING || fam == Family.STREAMS_STRING ? "string"
                            : fam == Family.SERDE_AVRO || fam == Family.STREAMS_AVRO ? "avro"
                            : fam == Family.SERDE_AVRO_CF || fam == Family.STREAMS_AVRO_CF ? "avro-confluent"
                            : fam == Family.SERDE_JSON_CF || fam == Family.STREAMS_JSON_CF ? "json-confluent" : "json";
                    route(f, name, fam.topic(k, pl), prefix + fam.topic(k, pl), format);
                    if (format.equals("avro")) {
                        f.put("route." + name + ".fields", "ssn,tag");
                        f.put("route." + name + ".avro.schema", avroSchemaFile.toString());
                    }
                }
            }
        }
        f.put("routes", String.join(",", names));
        return withRegistry(StreamsRuns.base(topics.bootstrapServers(), "matrix-decrypt-" + prefix
                + (keyVault ? "kv" : "local"), "decrypt", false, f));
    }

    /** A Streams deployment's properties with the registry's URL (unprefixed, as the ecosystem's serdes take it). */
    private Map<String, String> withRegistry(Map<String, String> app) {
        app.put(RegistryConfig.URL, registry.url());
        return app;
    }

    private static void route(Map<String, Object> f, String name, String in, String out, String format) {
        f.put("route." + name + ".input", in);
        f.put("route." + name + ".output", out);
        f.put("route." + name + ".format", format);
    }

    // ---- keys ----------------------------------------------------------------------------------------

    private String kekId(KeyType k) {
        return switch (k) {
            case RSA -> vault.keyId("rsa-kek");
            case OCT_HSM -> vault.keyId("oct-kek");
            case LOCAL -> "local:local-kek";
        };
    }

    /** The shared fieldseal settings (unprefixed) naming the cell's key. */
    private Map<String, Object> kekProps(KeyType k) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, kekId(k));
        if (k == KeyType.LOCAL) {
            p.put(FieldsealConfig.LOCAL_KEY_FILE, localKeys.toString());
        } else {
            p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
            p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        }
        p.put(FieldsealConfig.KEK_REFRESH_MS, "3600000");
        p.put(FieldsealConfig.KMS_RETRY_BACKOFF_MS, "50");
        return p;
    }

    private Kms kms(KeyType k) {
        return KmsFactory.create(kekId(k), new FieldsealConfig(kekProps(k)), new FieldsealMetrics());
    }

    private static FieldSelection selection() {
        return FieldSelection.of(List.of(FieldPath.parse("ssn")), List.of(FieldPath.parse("tag")));
    }
}
