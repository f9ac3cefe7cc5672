package dev.fieldseal.streams.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.envelope.SealedRecord;
import dev.fieldseal.envelope.Sealer;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.streams.FieldsealStreamsApp;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.registry.ConfluentFraming;
import dev.fieldseal.registry.RegistryJson;
import dev.fieldseal.testkit.KeyVaultDouble;
import dev.fieldseal.testkit.SchemaRegistryDouble;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fieldseal inspect} against a real broker, with records sealed by core's Sealer over the Key Vault double. */
class InspectCommandTest {

    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static KafkaProducer<byte[], byte[]> producer;
    static String v1;
    static String v2;
    static String keyId;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        v1 = vault.createRsaKey("pii");
        keyId = vault.keyId("pii");
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static FieldsealConfig config(String placement) {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, keyId);
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.ENVELOPE_PLACEMENT, placement);
        return new FieldsealConfig(p);
    }

    /** One sealed record: optionally a sealed key (whole-value text), a JSON value with sealed ssn and email. */
    record Sealed(byte[] key, byte[] value, Headers headers) {
    }

    static Sealed seal(Sealer s, String id, boolean sealKey) {
        SealedRecord rec = s.newRecord();
        byte[] key = sealKey
                ? Base64.getEncoder().encode(s.seal(id.getBytes(StandardCharsets.UTF_8), "$value", false, rec))
                : id.getBytes(StandardCharsets.UTF_8);
        String value = "{\"id\":\"" + id + "\",\"amount\":1310.70,\"ssn\":\"" + b64(s.seal(utf8("123-45-" + id), "ssn", false, rec))
                + "\",\"email\":\"" + b64(s.seal(utf8(id + "@example.com"), "email", false, rec)) + "\"}";
        Headers h = new RecordHeaders();
        rec.headers().forEach(h::add);
        return new Sealed(key, utf8(value), h);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static void send(String topic, Integer partition, Sealed r) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, r.key, r.value, r.headers)).get();
    }

    static void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin a = broker.admin()) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        }
    }

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Run inspect(String... args) {
        CommandLine cl = FieldsealStreamsApp.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> a = new ArrayList<>(List.of("inspect", "--bootstrap-server", broker.bootstrapServers()));
        a.addAll(List.of(args));
        int code = cl.execute(a.toArray(new String[0]));
        return new Run(code, out.toString(), err.toString());
    }

    static JsonNode version(JsonNode versions, String version) {
        for (JsonNode v : versions) {
            if (v.get("version").asText().equals(version)) {
                return v;
            }
        }
        return null;
    }

    // ---- the tests -----------------------------------------------------------------------------

    @Test
    void countsPerVersionForKeysAndValuesAcrossARotationWithoutAnyKeyVaultRequest() throws Exception {
        String topic = "inspect.rotation";
        createTopic(topic, 2, Map.of());
        try (Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            for (int i = 0; i < 3; i++) {
                send(topic, 0, seal(s, "c" + i, true));
            }
        }
        String rotated = vault.rotate("pii");
        v2 = rotated;
        try (Sealer s = Sealer.create(config("header"), new FieldsealMetrics())) {
            send(topic, 1, seal(s, "d0", false));
            send(topic, 1, seal(s, "d1", false));
        }
        producer.send(new ProducerRecord<>(topic, 1, utf8("plain"), utf8("{\"id\":\"p\"}"))).get();
        producer.send(new ProducerRecord<>(topic, 1, utf8("gone"), null)).get(); // a tombstone

        int requests = vault.requestLog().size();
        Run run = inspect("--topic", topic, "--output", "json");
        assertEquals(requests, vault.requestLog().size(), "inspect made no Key Vault request");
        assertEquals(0, run.exit, run.err + run.out);

        JsonNode total = run.json().get("total");
        assertEquals(7, total.get("records").asLong());
        assertEquals(5, total.get("recordsWithSealedValues").asLong());
        assertEquals(3, total.get("recordsWithSealedKeys").asLong());
        assertEquals(3, version(total.get("valueVersions"), v1).get("records").asLong());
        assertEquals(2, version(total.get("valueVersions"), rotated).get("records").asLong());
        assertEquals(keyId, version(total.get("valueVersions"), rotated).get("keyId").asText());
        assertEquals(1, total.get("keyVersions").size());
        assertEquals(3, version(total.get("keyVersions"), v1).get("records").asLong());
        assertEquals(0, total.get("malformed").asLong(), "header placement: references resolved through fieldseal.edek");
        assertEquals(0, total.get("mismatches").asLong());
        assertEquals(2, total.get("distinctDeks").get("count").asLong(), "one DEK per Sealer: two reads unwrap");

        JsonNode parts = run.json().get("topics").get(0).get("partitions");
        JsonNode p0 = parts.get(0);
        JsonNode p1 = parts.get(1);
        assertEquals(3, p0.get("records").asLong());
        assertEquals(0, version(p0.get("valueVersions"), v1).get("firstOffset").asLong());
        assertEquals(2, version(p0.get("valueVersions"), v1).get("lastOffset").asLong());
        assertTrue(version(p0.get("valueVersions"), v1).has("oldestTimestamp"));
        assertEquals(4, p1.get("records").asLong());
        assertEquals(1, version(p1.get("valueVersions"), rotated).get("lastOffset").asLong());
        assertEquals(4, p1.get("endOffset").asLong());

        Run table = inspect("--topic", topic);
        assertEquals(0, table.exit, table.err);
        assertTrue(table.out.contains("Key versions named by record keys:"), table.out);
        assertTrue(table.out.lines().anyMatch(l -> l.startsWith(topic) && l.contains(keyId) && l.contains(rotated)),
                table.out);
        assertTrue(table.out.contains("Scanned 7 record(s)"), table.out);
        assertEquals(requests, vault.requestLog().size());

        try (Admin a = broker.admin()) {
            assertTrue(a.listConsumerGroups().all().get().isEmpty(), "no consumer group, nothing committed");
        }
    }

    @Test
    void failIfVersionExitsThreeOnlyWhileARecordStillNeedsTheVersion() throws Exception {
        String topic = "inspect.gate";
        createTopic(topic, 1, Map.of());
        String current;
        try (Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            current = s.currentKek().version();
            send(topic, null, seal(s, "g0", true));
        }
        Run needed = inspect("--topic", topic, "--fail-if-version", current, "--output", "json");
        assertEquals(InspectCommand.EXIT_VERSION_NEEDED, needed.exit, needed.err + needed.out);
        assertEquals(1, needed.json().get("failIfVersion").get("records").asLong());

        Run byKeyAndVersion = inspect("--topic", topic, "--fail-if-version", keyId + "/" + current);
        assertEquals(InspectCommand.EXIT_VERSION_NEEDED, byKeyAndVersion.exit, byKeyAndVersion.out);
        assertTrue(byKeyAndVersion.out.contains("1 record(s) still need it"), byKeyAndVersion.out);

        Run otherKey = inspect("--topic", topic, "--fail-if-version", "https://elsewhere.vault.azure.net/keys/pii/" + current);
        assertEquals(InspectCommand.EXIT_OK, otherKey.exit, otherKey.out);
        Run unused = inspect("--topic", topic, "--fail-if-version", "no-such-version", "--fail-if-version", "0");
        assertEquals(InspectCommand.EXIT_OK, unused.exit, unused.out);
    }

    @Test
    void plaintextAtExpectedSealedPathsMalformedEnvelopesAndMismatchesExitFour() throws Exception {
        String topic = "inspect.problems";
        createTopic(topic, 1, Map.of());
        Sealed good;
        Sealed other;
        try (Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            good = seal(s, "ok", false);
            other = seal(s, "ok2", false);
        }
        send(topic, null, good);
        // plaintext ssn where it should be sealed (email is sealed)
        producer.send(new ProducerRecord<>(topic, null, null, utf8("{\"ssn\":\"123-45-6789\",\"email\":null}"))).get();
        Run plain = inspect("--topic", topic, "--expect-sealed", "ssn", "--expect-sealed", "email", "--output", "json");
        assertEquals(InspectCommand.EXIT_UNPROVEN, plain.exit, plain.out);
        assertEquals(1, plain.json().get("total").get("plaintextValues").asLong());
        assertEquals(0, plain.json().get("total").get("mismatches").asLong());
        assertTrue(!plain.out.contains("123-45-6789") && !plain.err.contains("123-45-6789"), "no plaintext in the report");
        assertEquals(InspectCommand.EXIT_OK, inspect("--topic", topic).exit, "without --expect-sealed nothing is expected");

        // an envelope that is not base64 and one that is truncated, with matching headers otherwise
        byte[] truncated = java.util.Arrays.copyOf(Base64.getDecoder().decode(
                JSON.readTree(other.value).get("ssn").asText()), 20);
        String bad = "{\"ssn\":\"/kZT-not-base64\",\"email\":\"" + b64(truncated) + "\"}";
        producer.send(new ProducerRecord<>(topic, null, null, utf8(bad))).get();
        Run malformed = inspect("--topic", topic, "--output", "json");
        assertEquals(InspectCommand.EXIT_UNPROVEN, malformed.exit, malformed.out);
        assertEquals(2, malformed.json().get("total").get("malformed").asLong());

        // headers naming another version than the envelopes
        Headers lying = new RecordHeaders();
        lying.add(SealedRecord.KEK_ID_HEADER, utf8(keyId));
        lying.add(SealedRecord.KEK_VERSION_HEADER, utf8("not-the-version"));
        send(topic, null, new Sealed(null, good.value, lying));
        Run mismatch = inspect("--topic", topic, "--output", "json");
        assertEquals(InspectCommand.EXIT_UNPROVEN, mismatch.exit);
        // the malformed record has no headers but no well-formed envelope either: only the lying one mismatches
        assertEquals(1, mismatch.json().get("total").get("mismatches").asLong());
        // a gated version takes precedence over exit 4
        String version = version(mismatch.json().get("total").get("valueVersions"), good.headers.lastHeader(
                SealedRecord.KEK_VERSION_HEADER) == null ? "" : new String(good.headers.lastHeader(
                SealedRecord.KEK_VERSION_HEADER).value(), StandardCharsets.UTF_8)).get("version").asText();
        assertEquals(InspectCommand.EXIT_VERSION_NEEDED, inspect("--topic", topic, "--fail-if-version", version).exit);
    }

    @Test
    void aCompactedTopicIsReadByAssignToItsEndOffsets() throws Exception {
        String topic = "inspect.compacted";
        createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        try (Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            send(topic, null, seal(s, "k", true));
            send(topic, null, seal(s, "k", true));
        }
        producer.send(new ProducerRecord<>(topic, null, utf8("k"), null)).get();
        Run run = inspect("--topic", topic, "--output", "json", "--progress-interval", "0");
        assertEquals(0, run.exit, run.err);
        JsonNode p = run.json().get("topics").get(0).get("partitions").get(0);
        assertEquals(3, p.get("records").asLong());
        assertEquals(2, p.get("recordsWithSealedKeys").asLong());
        assertEquals(3, p.get("endOffset").asLong());
    }

    @Test
    void registryFramedAvroAndJsonValuesWithWriterSchemasByIdFromTheRegistry() throws Exception {
        String avroTopic = "inspect.avro-confluent";
        String jsonTopic = "inspect.json-confluent";
        createTopic(avroTopic, 1, Map.of());
        createTopic(jsonTopic, 1, Map.of());
        Schema schema = SchemaBuilder.record("Customer").namespace("t").fields()
                .requiredLong("id").requiredString("email")
                .name("phone").type().unionOf().nullType().and().stringType().endUnion().nullDefault().endRecord();
        try (SchemaRegistryDouble registry = SchemaRegistryDouble.http();
             Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            int id = registry.register(avroTopic + "-value", "AVRO", schema.toString());
            for (boolean sealPhone : new boolean[] {true, false}) {
                SealedRecord rec = s.newRecord();
                GenericRecord r = new GenericData.Record(schema);
                r.put("id", 7L); // a long first: the envelope is found only when read with the writer schema
                r.put("email", b64(s.seal(utf8("a@example.com"), "email", false, rec)));
                r.put("phone", sealPhone ? b64(s.seal(utf8("555"), "phone", false, rec)) : "555-0100");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ConfluentFraming.writeHeader(out, id);
                BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
                new GenericDatumWriter<GenericRecord>(schema).write(r, e);
                Headers h = new RecordHeaders();
                rec.headers().forEach(h::add);
                producer.send(new ProducerRecord<byte[], byte[]>(avroTopic, null, null, out.toByteArray(), h)).get();
            }
            producer.send(new ProducerRecord<>(avroTopic, null, null, new byte[] {0, 0, 0, 0x7F, 0x7F, 2})).get();
            for (String v : new String[] {"c1", "c2"}) {
                Sealed r = seal(s, v, false);
                send(jsonTopic, null, new Sealed(r.key(), RegistryJson.frame(id + 1, r.value()), r.headers()));
            }
            producer.send(new ProducerRecord<>(jsonTopic, null, null, utf8("{\"ssn\":\"123-45-6789\"}"))).get();

            Path props = dir.resolve("client.properties");
            Files.writeString(props, "schema.registry.url=" + registry.url() + "\n");
            Run avro = inspect("--topic", avroTopic, "--value-format", "avro-confluent", "--command-config",
                    props.toString(), "--expect-sealed", "phone", "--output", "json");
            JsonNode total = avro.json().get("total");
            assertEquals(3, total.get("records").asLong(), avro.err);
            assertEquals(2, total.get("recordsWithSealedValues").asLong());
            assertEquals(1, total.get("plaintextValues").asLong(), "phone in plaintext, read with the writer schema");
            assertEquals(1, total.get("unreadable").asLong(), "an id the registry does not know");
            assertEquals(InspectCommand.EXIT_UNPROVEN, avro.exit);
            assertEquals(2, registry.count(SchemaRegistryDouble.SCHEMA_BY_ID), "one fetch per distinct id");

            Run json = inspect("--topic", jsonTopic, "--value-format", "json-confluent", "--output", "json");
            JsonNode jt = json.json().get("total");
            assertEquals(3, jt.get("records").asLong(), json.err);
            assertEquals(2, jt.get("recordsWithSealedValues").asLong());
            assertEquals(1, jt.get("unreadable").asLong(), "JSON without the framing");
            assertEquals(1, jt.get("valueVersions").size(), json.out);
            assertEquals(2, jt.get("valueVersions").get(0).get("records").asLong(), "the envelopes after the header");

            Run noRegistry = inspect("--topic", avroTopic, "--value-format", "avro-confluent");
            assertEquals(InspectCommand.EXIT_CONFIG, noRegistry.exit);
            assertTrue(noRegistry.err.contains("schema.registry.url"), noRegistry.err);
        }
    }

    @Test
    void singleObjectEncodedAvroValuesWithASchemaFile() throws Exception {
        String topic = "inspect.avro";
        createTopic(topic, 1, Map.of());
        Schema schema = SchemaBuilder.record("Customer").namespace("t").fields()
                .requiredString("id").requiredString("email")
                .name("phone").type().unionOf().nullType().and().stringType().endUnion().nullDefault().endRecord();
        Path avsc = dir.resolve("customer.avsc");
        Files.writeString(avsc, schema.toString());
        BinaryMessageEncoder<GenericRecord> enc = new BinaryMessageEncoder<>(GenericData.get(), schema);
        try (Sealer s = Sealer.create(config("field"), new FieldsealMetrics())) {
            for (boolean sealPhone : new boolean[] {true, false}) {
                SealedRecord rec = s.newRecord();
                GenericRecord r = new GenericData.Record(schema);
                r.put("id", "a1");
                r.put("email", b64(s.seal(utf8("a@example.com"), "email", false, rec)));
                r.put("phone", sealPhone ? b64(s.seal(utf8("555"), "phone", false, rec)) : "555-0100");
                ByteBuffer bb = enc.encode(r);
                byte[] value = new byte[bb.remaining()];
                bb.get(value);
                Headers h = new RecordHeaders();
                rec.headers().forEach(h::add);
                producer.send(new ProducerRecord<byte[], byte[]>(topic, null, (byte[]) null, value, h)).get();
            }
        }
        producer.send(new ProducerRecord<>(topic, null, null, new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0}))
                .get(); // another schema's fingerprint
        Run run = inspect("--topic", topic, "--value-format", "avro", "--value-avro-schema", avsc.toString(),
                "--expect-sealed", "phone", "--output", "json");
        JsonNode total = run.json().get("total");
        assertEquals(3, total.get("records").asLong());
        assertEquals(2, total.get("recordsWithSealedValues").asLong());
        assertEquals(1, total.get("plaintextValues").asLong());
        assertEquals(1, total.get("unreadable").asLong());
        assertEquals(InspectCommand.EXIT_UNPROVEN, run.exit);
    }

    @Test
    void configurationErrorsExitTwo() throws Exception {
        Run missing = inspect("--topic", "inspect.no-such-topic");
        assertEquals(InspectCommand.EXIT_CONFIG, missing.exit, missing.err);
        assertTrue(missing.err.contains("does not exist"), missing.err);
        try (Admin admin = broker.admin()) {
            assertTrue(!admin.listTopics().names().get().contains("inspect.no-such-topic"), "inspect creates no topic");
        }
        assertEquals(2, inspect("--topic", "x", "--value-format", "xml").exit);
        assertEquals(2, inspect("--topic", "x", "--from-time", "yesterday").exit);
        assertEquals(2, inspect("--topic", "x", "--value-format", "avro").exit, "avro needs a schema");
        assertEquals(2, inspect().exit, "--topic is required");
        assertEquals(2, inspect("--topic", "x", "--expect-sealed", "a..b").exit);
    }

    @Test
    void aTimeRangeLimitsTheOffsetsRead() throws Exception {
        String topic = "inspect.time";
        createTopic(topic, 1, Map.of());
        long t0 = 1_700_000_000_000L;
        for (int i = 0; i < 4; i++) {
            producer.send(new ProducerRecord<byte[], byte[]>(topic, 0, t0 + i * 60_000L, (byte[]) null, utf8("{\"n\":" + i + "}"))).get();
        }
        Run run = inspect("--topic", topic, "--output", "json", "--from-time", java.time.Instant.ofEpochMilli(t0 + 60_000).toString(),
                "--to-time", java.time.Instant.ofEpochMilli(t0 + 180_000).toString());
        JsonNode p = run.json().get("topics").get(0).get("partitions").get(0);
        assertEquals(2, p.get("records").asLong());
        assertEquals(1, p.get("startOffset").asLong());
        assertEquals(3, p.get("endOffset").asLong());
    }
}
