package dev.fieldseal.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryAvro;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Format avro-confluent across the serdes and the Streams app on a real broker, with the Key Vault
 * double (RSA key, TLS) and the Schema Registry double over HTTPS with basic credentials: serializer
 * → Streams {@code rekey} (after a rotation) → deserializer, and Streams {@code encrypt} → Streams
 * {@code decrypt} → a plain Avro reader of the Confluent framing. Every Avro logical type and
 * nullable or union field is sealed, with values and with nulls.
 */
class ConfluentAvroAcrossHostsTest {

    private static final String KEY = "pii";
    static final Schema ALL = new Schema.Parser().parse("""
            {"type":"record","name":"Everything","namespace":"dev.fieldseal.sample","fields":[
              {"name":"id","type":"long"},
              {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
              {"name":"decfixed","type":{"type":"fixed","name":"Money","size":8,"logicalType":"decimal",
                "precision":10,"scale":3}},
              {"name":"uuid","type":{"type":"string","logicalType":"uuid"}},
              {"name":"date","type":{"type":"int","logicalType":"date"}},
              {"name":"tmillis","type":{"type":"int","logicalType":"time-millis"}},
              {"name":"tmicros","type":{"type":"long","logicalType":"time-micros"}},
              {"name":"tsmillis","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"tsmicros","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"tsnanos","type":{"type":"long","logicalType":"timestamp-nanos"}},
              {"name":"ltsmillis","type":{"type":"long","logicalType":"local-timestamp-millis"}},
              {"name":"ltsmicros","type":{"type":"long","logicalType":"local-timestamp-micros"}},
              {"name":"ltsnanos","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
              {"name":"duration","type":{"type":"fixed","name":"Duration","size":12,"logicalType":"duration"}},
              {"name":"nick","type":["null","string"],"default":null},
              {"name":"seen","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
              {"name":"either","type":["null","int","string"],"default":null},
              {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
                 {"name":"street","type":"string"},{"name":"zip","type":"string"}]}],"default":null}
            ]}""");
    static final String FIELDS = "dec,decfixed,uuid,date,tmillis,tmicros,tsmillis,tsmicros,tsnanos,ltsmillis,"
            + "ltsmicros,ltsnanos,duration,nick,seen,either,address";

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static SchemaRegistryDouble registry;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        vault.createRsaKey(KEY);
        registry = SchemaRegistryDouble.https();
        registry.requireBasicAuth("fieldseal", "registry-pw");
        for (String t : List.of("cf.sealed", "cf.rekeyed", "cf.plain", "cf.encrypted", "cf.opened")) {
            broker.createTopic(t, 1);
        }
    }

    @AfterAll
    static void stop() {
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

    @Test
    void serializerThenStreamsRekeyThenDeserializerKeepsTheSchemaIdAndRestoresEveryField() throws Exception {
        List<GenericRecord> originals = List.of(everything(1, false), everything(2, false), everything(3, true));
        String oldVersion = vault.currentVersion(KEY);
        Map<String, Object> p = new HashMap<>(serdeProps());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EncryptingSerializer.class.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p)) {
            for (GenericRecord r : originals) {
                producer.send(new ProducerRecord<>("cf.sealed", "k", r));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> sealed = read("cf.sealed", originals.size());
        int id = ConfluentFraming.schemaId(sealed.get(0).value());
        assertEquals(List.of(id), registry.versions("cf.sealed-value"), "the encrypted schema, registered once");

        String newVersion = vault.rotate(KEY);
        Map<String, String> app = streams("cf-rekey", "rekey");
        route(app, "moved", "cf.sealed", "cf.rekeyed");
        List<ConsumerRecord<byte[], byte[]>> rekeyed;
        try (StreamsService s = StreamsService.start(AppSettings.parse(app))) {
            StreamsRuns.awaitRunning(s);
            rekeyed = read("cf.rekeyed", originals.size());
        }
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(serdeProps(), false);
            for (int i = 0; i < originals.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = rekeyed.get(i);
                assertEquals(id, ConfluentFraming.schemaId(r.value()), "rekey keeps the schema id");
                assertNotEquals(ByteBuffer.wrap(sealed.get(i).value()), ByteBuffer.wrap(r.value()), "DEKs moved");
                assertEquals(newVersion, header(r, "fieldseal.kek.version"));
                assertFalse(header(r, "fieldseal.kek.version").contains(oldVersion));
                GenericRecord back = (GenericRecord) d.deserialize(r.topic(), r.headers(), r.value());
                assertEquals(ALL, back.getSchema());
                assertEquals(originals.get(i), back);
            }
        }
    }

    @Test
    void streamsEncryptThenDecryptReframesWithThePlaintextSchemaForAPlainAvroReader() throws Exception {
        List<GenericRecord> originals = List.of(everything(4, false), everything(5, true));
        RegistryAvro plainProducer = RegistryAvro.of(new RegistryConfig(registryProps()), false);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (GenericRecord r : originals) {
                p.send(new ProducerRecord<>("cf.plain", "k".getBytes(StandardCharsets.UTF_8),
                        plainProducer.write("cf.plain", r)));
            }
            p.flush();
        }
        int plainId = registry.versions("cf.plain-value").get(0);

        Map<String, String> enc = streams("cf-encrypt", "encrypt");
        route(enc, "sealing", "cf.plain", "cf.encrypted");
        Map<String, String> dec = streams("cf-decrypt", "decrypt");
        route(dec, "opening", "cf.encrypted", "cf.opened");
        List<ConsumerRecord<byte[], byte[]>> encrypted;
        List<ConsumerRecord<byte[], byte[]>> opened;
        try (StreamsService e = StreamsService.start(AppSettings.parse(enc));
                StreamsService d = StreamsService.start(AppSettings.parse(dec))) {
            StreamsRuns.awaitRunning(e);
            StreamsRuns.awaitRunning(d);
            encrypted = read("cf.encrypted", originals.size());
            opened = read("cf.opened", originals.size());
        }
        int encryptedId = registry.versions("cf.encrypted-value").get(0);
        assertNotEquals(plainId, encryptedId);
        assertEquals(List.of(plainId), registry.versions("cf.opened-value"),
                "decrypt registers the plaintext schema, which the registry already knows by its id");
        for (int i = 0; i < originals.size(); i++) {
            assertEquals(encryptedId, ConfluentFraming.schemaId(encrypted.get(i).value()));
            assertFalse(new String(encrypted.get(i).value(), StandardCharsets.ISO_8859_1).contains("0b6f1d2e"));
            byte[] out = opened.get(i).value();
            assertEquals(plainId, ConfluentFraming.schemaId(out));
            // a plain Avro consumer: the writer schema by id, Avro's own reader, no fieldseal
            Schema writer = new Schema.Parser().parse(registry.schema(plainId));
            GenericRecord got = new GenericDatumReader<GenericRecord>(writer).read(null,
                    DecoderFactory.get().binaryDecoder(out, 5, out.length - 5, null));
            assertEquals(originals.get(i), got);
            assertArrayEquals(plainProducer.write("cf.plain", originals.get(i)), out,
                    "byte for byte what the plain producer wrote");
        }
    }

    // ---- data ------------------------------------------------------------------------------------

    static GenericRecord everything(long id, boolean nulls) {
        GenericData.Record r = new GenericData.Record(ALL);
        r.put("id", id);
        r.put("dec", ByteBuffer.wrap(new BigDecimal("-1234.56").unscaledValue().toByteArray()));
        r.put("decfixed", new GenericData.Fixed(ALL.getField("decfixed").schema(),
                new byte[] {0, 0, 0, 0, 0, 1, (byte) 0xE2, 0x40}));
        r.put("uuid", "0b6f1d2e-9a55-4c1e-8a55-1d2e9a554c1e");
        r.put("date", -12_000);
        r.put("tmillis", 45_296_789);
        r.put("tmicros", 45_296_789_012L);
        r.put("tsmillis", 1_700_000_000_123L);
        r.put("tsmicros", 1_700_000_000_123_456L);
        r.put("tsnanos", 1_700_000_000_123_456_789L);
        r.put("ltsmillis", 1_700_000_000_321L);
        r.put("ltsmicros", 1_700_000_000_321_654L);
        r.put("ltsnanos", 1_700_000_000_321_654_987L);
        r.put("duration", new GenericData.Fixed(ALL.getField("duration").schema(),
                new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}));
        GenericData.Record a = new GenericData.Record(ALL.getField("address").schema().getTypes().get(1));
        a.put("street", "1 Retire Road");
        a.put("zip", "22201");
        r.put("nick", nulls ? null : "Ace");
        r.put("seen", nulls ? null : 1_700_000_000_999L);
        r.put("either", nulls ? null : id % 2 == 0 ? (Object) 42 : "forty-two");
        r.put("address", nulls ? null : a);
        return r;
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private static Map<String, Object> registryProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(RegistryConfig.URL, registry.url());
        p.put(RegistryConfig.BASIC_AUTH_SOURCE, "USER_INFO");
        p.put(RegistryConfig.BASIC_AUTH_USER_INFO, "fieldseal:registry-pw");
        p.put(RegistryConfig.TRUSTSTORE_LOCATION, registry.truststoreFile().toString());
        p.put(RegistryConfig.TRUSTSTORE_PASSWORD, registry.truststorePassword());
        p.put(RegistryConfig.TRUSTSTORE_TYPE, "PKCS12");
        return p;
    }

    private static Map<String, Object> vaultProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(KEY));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.KEK_REFRESH_MS, "3600000");
        return p;
    }

    private static Map<String, Object> serdeProps() {
        Map<String, Object> p = new HashMap<>(registryProps());
        vaultProps().forEach((k, v) -> p.put(FieldsealConfig.PREFIX + k, v));
        p.put("fieldseal.format", "avro-confluent");
        p.put("fieldseal.fields", FIELDS);
        return p;
    }

    private static Map<String, String> streams(String appId, String mode) {
        Map<String, String> p = StreamsRuns.base(broker.bootstrapServers(), appId, mode, false, vaultProps());
        registryProps().forEach((k, v) -> p.put(k, v.toString()));
        return p;
    }

    private static void route(Map<String, String> app, String name, String in, String out) {
        app.put("fieldseal.routes", name);
        String r = "fieldseal.route." + name + ".";
        app.put(r + "input", in);
        app.put(r + "output", out);
        app.put(r + "format", "avro-confluent");
        app.put(r + "fields", FIELDS);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** The records of a topic (one partition), in offset order; fails after 60 s with fewer than {@code n}. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        return new TopicIo(broker).read(topic, n);
    }
}
