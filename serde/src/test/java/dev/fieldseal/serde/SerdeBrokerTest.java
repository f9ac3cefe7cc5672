package dev.fieldseal.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.codec.ConnectValueCodec;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.field.FieldSelection;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.model.connect.ConnectEncryptor;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serdes on a real broker with the Azure provider against Key Vault doubles: records written
 * by the Connect path (ConnectEncryptor + JsonConverter, as a worker does) and by the
 * EncryptingSerializer come back as the originals through a KafkaConsumer, across a rotation.
 */
class SerdeBrokerTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String SSN = "123-45-6789";
    static final String STREET = "1 Main St";

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static KeyVaultDouble stranger;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        stranger = new KeyVaultDouble();
        vault.createRsaKey("pii");
        stranger.createRsaKey("other");
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
        vault.close();
        stranger.close();
    }

    /** fieldseal.* properties for the Azure provider against a double. */
    static Map<String, Object> fieldseal(KeyVaultDouble kv, String key, Object... kv2) {
        Map<String, Object> p = new HashMap<>();
        p.put("fieldseal.kek.id", kv.keyId(key));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", kv.caPemFile().toString());
        p.put("fieldseal.kms.retry.backoff.ms", "50");
        for (int i = 0; i < kv2.length; i += 2) {
            p.put((String) kv2[i], kv2[i + 1]);
        }
        return p;
    }

    static FieldsealConfig core(Map<String, Object> p) {
        return FieldsealConfig.fromPrefixed(p);
    }

    static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(byte[] b) {
        return json(new String(b, StandardCharsets.UTF_8));
    }

    static KafkaProducer<String, byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<String, Object> consumer(Map<String, Object> fieldsealProps) {
        Map<String, Object> p = new HashMap<>(fieldsealProps);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", DecryptingDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p);
    }

    static <K, V> List<ConsumerRecord<K, V>> readAll(KafkaConsumer<K, V> c, String topic, int n) {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (out.size() < n && System.currentTimeMillis() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        assertEquals(n, out.size(), "records read from " + topic);
        return out;
    }

    // ---- Connect-written JSON and serializer-written JSON, across a rotation -------------------

    static final org.apache.kafka.connect.data.Schema ADDRESS = SchemaBuilder.struct().name("Address")
            .field("street", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .field("city", org.apache.kafka.connect.data.Schema.STRING_SCHEMA).build();
    static final org.apache.kafka.connect.data.Schema CUSTOMER = SchemaBuilder.struct().name("Customer")
            .field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
            .field("ssn", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
            .field("email", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", org.apache.kafka.connect.data.Decimal.builder(2).build())
            .field("address", ADDRESS).build();

    static Struct customer(long id, String email) {
        return new Struct(CUSTOMER).put("id", id).put("ssn", SSN).put("email", email)
                .put("balance", new BigDecimal("1234.50"))
                .put("address", new Struct(ADDRESS).put("street", STREET).put("city", "Springfield"));
    }

    static JsonConverter converter(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", schemas, "converter.type", "value"));
        return c;
    }

    @Test
    void connectAndSerializerRecordsDecryptToTheOriginalsAcrossAKeyRotation() throws Exception {
        String topic = "customers-json";
        broker.createTopic(topic);
        Map<String, Object> props = fieldseal(vault, "pii", "fieldseal.fields", "ssn,email,balance,address.street");
        JsonConverter withSchemas = converter(true);
        JsonConverter noSchemas = converter(false);
        List<JsonNode> expected = new ArrayList<>();
        Set<String> versions = new HashSet<>();

        EncryptingSerializer serializer = new EncryptingSerializer();
        serializer.configure(props, false);
        ConnectEncryptor connect;
        try (Sealer sealer = Sealer.create(core(props), new FieldsealMetrics());
             KafkaProducer<String, byte[]> raw = rawProducer();
             KafkaProducer<String, Object> app = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), serializer)) {
            connect = new ConnectEncryptor(sealer, FieldSelection.of(core(props).fields(), List.of()),
                    new ConnectValueCodec(), false);
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    vault.rotate("pii");
                    sealer.refreshNow().toCompletableFuture().join();
                    serializer.refreshKek().toCompletableFuture().join();
                }
                for (JsonConverter conv : List.of(withSchemas, noSchemas)) {
                    Struct original = customer(round, round == 0 ? "ada@example.com" : null);
                    ConnectEncryptor.Result r = connect.encrypt(CUSTOMER, original);
                    byte[] bytes = conv.fromConnectData(topic, r.schema(), r.value());
                    assertFalse(new String(bytes).contains(SSN));
                    RecordHeaders h = new RecordHeaders();
                    r.sealed().headers().forEach(h::add);
                    // Each send completes before the next: two producers give no order otherwise.
                    raw.send(new ProducerRecord<>(topic, null, "connect", bytes, h)).get();
                    expected.add(json(conv.fromConnectData(topic, CUSTOMER, original)));
                }
                String doc = "{\"id\":" + (10 + round) + ",\"ssn\":\"" + SSN + "\",\"email\":\"x@example.com\","
                        + "\"balance\":1234.50,\"address\":{\"street\":\"" + STREET + "\",\"zip\":\"12345\"}}";
                app.send(new ProducerRecord<>(topic, "app", doc)).get();
                expected.add(json(doc));
            }
            raw.flush();
            app.flush();
        }
        serializer.close();

        try (KafkaConsumer<String, Object> c = consumer(fieldseal(vault, "pii"))) {
            List<ConsumerRecord<String, Object>> records = readAll(c, topic, expected.size());
            for (int i = 0; i < records.size(); i++) {
                ConsumerRecord<String, Object> rec = records.get(i);
                assertEquals(expected.get(i), json((String) rec.value()), "record " + i);
                versions.add(new String(rec.headers().lastHeader("fieldseal.kek.version").value()));
                assertEquals(vault.keyId("pii"), new String(rec.headers().lastHeader("fieldseal.kek.id").value()));
            }
            assertEquals(2, versions.size(), "both key versions present: " + versions);
            assertTrue(metric(c, "records-decrypted") >= expected.size(), "published through the consumer's metrics");
        }
    }

    static double metric(KafkaConsumer<?, ?> c, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : c.metrics().entrySet()) {
            if (e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return -1;
    }

    // ---- allowlist and failure policies --------------------------------------------------------

    /** One record encrypted with the stranger vault's key, and one with ours, on a new topic. */
    static String topicWithAStrangersRecord(String topic) {
        broker.createTopic(topic);
        Map<String, Object> strangerProps = fieldseal(stranger, "other", "fieldseal.fields", "ssn");
        Map<String, Object> ours = fieldseal(vault, "pii", "fieldseal.fields", "ssn");
        for (Map<String, Object> p : List.of(strangerProps, ours)) {
            Map<String, Object> producer = new HashMap<>(p);
            producer.put("bootstrap.servers", broker.bootstrapServers());
            producer.put("key.serializer", StringSerializer.class.getName());
            producer.put("value.serializer", EncryptingSerializer.class.getName());
            try (KafkaProducer<String, Object> prod = new KafkaProducer<>(producer)) {
                prod.send(new ProducerRecord<>(topic, "k", "{\"id\":1,\"ssn\":\"" + SSN + "\"}"));
            }
        }
        stranger.reset();
        return topic;
    }

    @Test
    void aRecordNamingAnotherVaultIsRefusedWithoutContactingItAndFailNamesTopicOffsetAndKey() {
        String topic = topicWithAStrangersRecord("policy-fail");
        try (KafkaConsumer<String, Object> c = consumer(fieldseal(vault, "pii"))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            RecordDeserializationException e = assertThrows(RecordDeserializationException.class, () -> {
                long deadline = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200));
                }
            });
            assertEquals(tp, e.topicPartition());
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("offset 0"), e.getMessage());
            String m = e.getCause().getMessage();
            assertTrue(m.contains("topic '" + topic + "'"), m);
            assertTrue(m.contains("field 'ssn'"), m);
            assertTrue(m.contains(stranger.keyId("other")), m);
            assertTrue(m.contains("version " + stranger.currentVersion("other")), m);
            assertTrue(m.contains("KEY_NOT_ALLOWED") && m.contains("not in kek.allowed"), m);
            assertFalse(m.contains(SSN), "no plaintext in the message");
            assertFalse(stackText(e).contains(SSN), "no plaintext anywhere in the chain");

            // the consumer can skip the record and go on
            c.seek(tp, e.offset() + 1);
            List<ConsumerRecord<String, Object>> rest = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (rest.isEmpty() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(rest::add);
            }
            assertEquals(SSN, json((String) rest.get(0).value()).get("ssn").textValue());
        }
        assertEquals(List.of(), stranger.requestLog(), "the stranger's vault received no request");
        for (String op : List.of("get", "unwrapkey", "wrapkey", "versions")) {
            assertEquals(0, stranger.count(op), op);
        }
    }

    static String stackText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            sb.append(x).append('\n');
        }
        return sb.toString();
    }

    @Test
    void ciphertextPolicyLeavesTheValueEncryptedAndMaskPolicyReplacesIt() {
        String topic = topicWithAStrangersRecord("policy-soft");
        try (KafkaConsumer<String, Object> c = consumer(fieldseal(vault, "pii", "fieldseal.on.failure", "ciphertext"))) {
            List<ConsumerRecord<String, Object>> r = readAll(c, topic, 2);
            String left = json((String) r.get(0).value()).get("ssn").textValue();
            assertTrue(left.startsWith("/kZT"), left);
            assertEquals(SSN, json((String) r.get(1).value()).get("ssn").textValue());
        }
        try (KafkaConsumer<String, Object> c = consumer(fieldseal(vault, "pii", "fieldseal.on.failure", "mask",
                "fieldseal.mask.value", "***"))) {
            List<ConsumerRecord<String, Object>> r = readAll(c, topic, 2);
            assertEquals(json("{\"id\":1,\"ssn\":\"***\"}"), json((String) r.get(0).value()));
            assertEquals(SSN, json((String) r.get(1).value()).get("ssn").textValue());
        }
        try (KafkaConsumer<String, Object> c = consumer(fieldseal(vault, "pii", "fieldseal.on.failure", "mask"))) {
            List<ConsumerRecord<String, Object>> r = readAll(c, topic, 2);
            assertTrue(json((String) r.get(0).value()).get("ssn").isNull(), "default mask is null");
        }
        assertEquals(0, stranger.count("unwrapkey") + stranger.count("get"));
    }

    // ---- Avro ----------------------------------------------------------------------------------

    static Path customerSchemaFile() {
        Path p = Path.of("..", "schemas", "customer-profile.avsc");
        assertTrue(p.toFile().isFile(), "schemas/customer-profile.avsc");
        return p;
    }

    static GenericRecord avroCustomer(Schema schema, String email, boolean address) {
        Schema addressSchema = schema.getField("address").schema().getTypes().get(1);
        GenericData.Record a = new GenericData.Record(addressSchema);
        a.put("street", STREET);
        a.put("city", "Springfield");
        a.put("zip", null);
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", UUID.nameUUIDFromBytes(new byte[] {1}).toString());
        r.put("name", "Ada");
        r.put("ssn", SSN);
        r.put("email", email);
        r.put("balance", ByteBuffer.wrap(new BigDecimal("1234.50").unscaledValue().toByteArray()));
        r.put("birthDate", 7_000);
        r.put("createdAt", 1_700_000_000_123L);
        r.put("tier", 2);
        r.put("address", address ? a : null);
        return r;
    }

    @Test
    void avroRecordWithLogicalTypesRoundTripsWithItsSchema() throws IOException {
        String topic = "customers-avro";
        broker.createTopic(topic);
        Path file = customerSchemaFile();
        Schema schema = new Schema.Parser().parse(file.toFile());
        String fields = "ssn,email,balance,birthDate,createdAt,address.street";
        Map<String, Object> props = fieldseal(vault, "pii", "fieldseal.format", "avro", "fieldseal.fields", fields,
                "fieldseal.avro.schema.file", file.toString());
        List<GenericRecord> originals = List.of(avroCustomer(schema, "ada@example.com", true),
                avroCustomer(schema, null, false));
        Map<String, Object> producer = new HashMap<>(props);
        producer.put("bootstrap.servers", broker.bootstrapServers());
        producer.put("key.serializer", StringSerializer.class.getName());
        producer.put("value.serializer", EncryptingSerializer.class.getName());
        try (KafkaProducer<String, Object> p = new KafkaProducer<>(producer)) {
            for (GenericRecord r : originals) {
                p.send(new ProducerRecord<>(topic, "k", r));
            }
        }
        try (KafkaConsumer<String, Object> c = consumer(props)) {
            List<ConsumerRecord<String, Object>> recs = readAll(c, topic, originals.size());
            for (int i = 0; i < originals.size(); i++) {
                GenericRecord got = assertInstanceOf(GenericRecord.class, recs.get(i).value());
                assertEquals(schema, got.getSchema());
                assertEquals(originals.get(i), got);
                assertTrue(GenericData.get().validate(schema, got));
            }
            assertNull(((GenericRecord) recs.get(1).value()).get("address"));
        }
        // without fieldseal.fields the deserializer cannot know the writer schema: a clear error
        Map<String, Object> noFields = new HashMap<>(props);
        noFields.remove("fieldseal.fields");
        try (KafkaConsumer<String, Object> c = consumer(noFields)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            RecordDeserializationException e = assertThrows(RecordDeserializationException.class,
                    () -> c.poll(Duration.ofSeconds(10)));
            assertTrue(e.getCause().getMessage().contains("fingerprint"), e.getCause().getMessage());
        }
    }

    // ---- the documented example files ----------------------------------------------------------

    static Map<String, Object> example(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = SerdeBrokerTest.class.getResourceAsStream("/examples/" + name)) {
            assertNotNull(in, name);
            p.load(in);
        }
        Map<String, Object> m = new HashMap<>();
        p.forEach((k, v) -> m.put((String) k, v));
        // Point the examples at this test's broker and vault double; everything else is used as written.
        m.put("bootstrap.servers", broker.bootstrapServers());
        m.putAll(fieldseal(vault, "pii"));
        m.remove("group.id");
        return m;
    }

    @Test
    void theExamplePropertyFilesWorkAsWritten() throws IOException {
        String topic = "examples";
        broker.createTopic(topic);
        Map<String, Object> producer = example("producer.properties");
        assertEquals(EncryptingSerializer.class.getName(), producer.get("value.serializer"));
        try (KafkaProducer<String, Object> p = new KafkaProducer<>(producer)) {
            p.send(new ProducerRecord<>(topic, "k", "{\"ssn\":\"" + SSN + "\",\"address\":{\"street\":\"" + STREET
                    + "\"},\"cards\":[{\"number\":\"4111\"}]}"));
        }
        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            JsonNode wire = json(readAll(raw, topic, 1).get(0).value());
            assertTrue(wire.get("ssn").textValue().startsWith("/kZT"));
            assertTrue(wire.get("address").get("street").textValue().startsWith("/kZT"));
            assertTrue(wire.get("cards").get(0).get("number").textValue().startsWith("/kZT"));
        }
        Map<String, Object> consumer = example("consumer.properties");
        assertEquals(DecryptingDeserializer.class.getName(), consumer.get("value.deserializer"));
        try (KafkaConsumer<String, Object> c = new KafkaConsumer<>(consumer)) {
            JsonNode got = json((String) readAll(c, topic, 1).get(0).value());
            assertEquals(SSN, got.get("ssn").textValue());
            assertEquals(STREET, got.get("address").get("street").textValue());
            assertEquals("4111", got.get("cards").get(0).get("number").textValue());
        }
    }
}
