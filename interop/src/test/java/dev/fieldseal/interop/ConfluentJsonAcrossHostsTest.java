package dev.fieldseal.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.model.json.EncryptedJsonSchema;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryConfig;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Format json-confluent across the serdes and the Streams app on a real broker, with the Key Vault
 * double (RSA key, TLS) and the Schema Registry double over HTTPS with basic credentials: serializer
 * → Streams {@code rekey} (after a rotation) → deserializer, and Streams {@code encrypt} → Streams
 * {@code decrypt} → the plaintext bytes under the plaintext schema's id. Strings, numbers, a
 * boolean, a nested object, array elements and a nullable field are sealed, with values and nulls.
 */
class ConfluentJsonAcrossHostsTest {

    private static final String KEY = "pii";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA = """
            {"title":"Customer","type":"object","properties":{
              "id":{"type":"integer"},
              "ssn":{"type":"string"},
              "balance":{"type":"number"},
              "vip":{"type":"boolean"},
              "nick":{"type":["string","null"]},
              "address":{"type":"object","properties":{"street":{"type":"string"},"zip":{"type":"string"}}},
              "phones":{"type":"array","items":{"type":"string"}}
            }}""";
    static final String FIELDS = "ssn,balance,vip,nick,address,phones[*]";

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
        for (String t : List.of("cj.sealed", "cj.rekeyed", "cj.plain", "cj.encrypted", "cj.opened")) {
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

    static String doc(long id, boolean nulls) {
        return nulls ? "{\"id\":" + id + ",\"ssn\":\"219-09-9999\",\"balance\":0,\"vip\":false,\"nick\":null,"
                + "\"address\":null,\"phones\":[]}"
                : "{\"id\":" + id + ",\"ssn\":\"078-05-1120\",\"balance\":-1234.56,\"vip\":true,\"nick\":\"Ace\","
                + "\"address\":{\"street\":\"1 Retire Road\",\"zip\":\"22201\"},\"phones\":[\"555-0100\",\"555-0199\"]}";
    }

    @Test
    void serializerThenStreamsRekeyThenDeserializerKeepsTheSchemaIdAndRestoresEveryField() throws Exception {
        List<String> originals = List.of(doc(1, false), doc(2, true), doc(3, false));
        String oldVersion = vault.currentVersion(KEY);
        Path schemaFile = Files.createTempFile("customer", ".json");
        Files.writeString(schemaFile, SCHEMA);
        Map<String, Object> p = new HashMap<>(serdeProps());
        p.put("fieldseal.json.schema.file", schemaFile.toString());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, EncryptingSerializer.class.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p)) {
            for (String d : originals) {
                producer.send(new ProducerRecord<>("cj.sealed", "k", d));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> sealed = read("cj.sealed", originals.size());
        int id = ConfluentFraming.schemaId(sealed.get(0).value());
        assertEquals(List.of(id), registry.versions("cj.sealed-value"), "the encrypted schema, registered once");
        assertTrue(EncryptedJsonSchema.hasEncryptedFields(JSON.readTree(registry.schema(id))));

        String newVersion = vault.rotate(KEY);
        Map<String, String> app = streams("cj-rekey", "rekey");
        route(app, "moved", "cj.sealed", "cj.rekeyed");
        List<ConsumerRecord<byte[], byte[]>> rekeyed;
        try (StreamsService s = StreamsService.start(AppSettings.parse(app))) {
            StreamsRuns.awaitRunning(s);
            rekeyed = read("cj.rekeyed", originals.size());
        }
        try (DecryptingDeserializer d = new DecryptingDeserializer()) {
            d.configure(serdeProps(), false);
            for (int i = 0; i < originals.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = rekeyed.get(i);
                assertEquals(id, ConfluentFraming.schemaId(r.value()), "rekey keeps the schema id");
                assertNotEquals(ByteBuffer.wrap(sealed.get(i).value()), ByteBuffer.wrap(r.value()), "DEKs moved");
                assertEquals(newVersion, header(r, "fieldseal.kek.version"));
                assertFalse(header(r, "fieldseal.kek.version").contains(oldVersion));
                assertEquals(JSON.readTree(originals.get(i)),
                        JSON.readTree((String) d.deserialize(r.topic(), r.headers(), r.value())));
            }
        }
    }

    @Test
    void streamsEncryptThenDecryptReframesWithThePlaintextSchemaId() throws Exception {
        List<String> originals = List.of(doc(4, false), doc(5, true));
        int plainId = registry.register("cj.plain-value", "JSON", SCHEMA);
        List<byte[]> plain = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String d : originals) {
                byte[] framed = RegistryJson.frame(plainId, d.getBytes(StandardCharsets.UTF_8));
                plain.add(framed);
                p.send(new ProducerRecord<>("cj.plain", "k".getBytes(StandardCharsets.UTF_8), framed));
            }
            p.flush();
        }
        Map<String, String> enc = streams("cj-encrypt", "encrypt");
        route(enc, "sealing", "cj.plain", "cj.encrypted");
        Map<String, String> dec = streams("cj-decrypt", "decrypt");
        route(dec, "opening", "cj.encrypted", "cj.opened");
        List<ConsumerRecord<byte[], byte[]>> encrypted;
        List<ConsumerRecord<byte[], byte[]>> opened;
        try (StreamsService e = StreamsService.start(AppSettings.parse(enc));
                StreamsService d = StreamsService.start(AppSettings.parse(dec))) {
            StreamsRuns.awaitRunning(e);
            StreamsRuns.awaitRunning(d);
            encrypted = read("cj.encrypted", originals.size());
            opened = read("cj.opened", originals.size());
        }
        int encryptedId = registry.versions("cj.encrypted-value").get(0);
        assertNotEquals(plainId, encryptedId);
        assertEquals(JSON.readTree(SCHEMA), EncryptedJsonSchema.plaintext(JSON.readTree(registry.schema(encryptedId))));
        assertEquals(List.of(plainId), registry.versions("cj.opened-value"),
                "decrypt registers the plaintext schema, which the registry already knows by its id");
        for (int i = 0; i < originals.size(); i++) {
            assertEquals(encryptedId, ConfluentFraming.schemaId(encrypted.get(i).value()));
            String wire = new String(encrypted.get(i).value(), StandardCharsets.UTF_8);
            assertFalse(wire.contains("078-05-1120") || wire.contains("Retire") || wire.contains("555-01"), wire);
            assertArrayEquals(plain.get(i), opened.get(i).value(), "byte for byte what the plain producer wrote");
        }
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
        p.put("fieldseal.format", "json-confluent");
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
        app.put(r + "format", "json-confluent");
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
