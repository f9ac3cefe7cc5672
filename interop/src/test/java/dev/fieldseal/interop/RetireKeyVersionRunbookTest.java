package dev.fieldseal.interop;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fieldseal.connect.DecryptFields;
import dev.fieldseal.connect.EncryptFields;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.scan.EnvelopeLocator;
import dev.fieldseal.scan.Located;
import dev.fieldseal.scan.RecordScan;
import dev.fieldseal.serde.DecryptingDeserializer;
import dev.fieldseal.serde.EncryptingSerializer;
import dev.fieldseal.streams.AppSettings;
import dev.fieldseal.streams.FieldsealStreamsApp;
import dev.fieldseal.streams.StreamsService;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md "Retire a key version", step by step, on a real broker with the Key Vault
 * double (RSA key, real TLS): records sealed by {@code EncryptFields$Key}/{@code $Value}, by the
 * key and value {@code EncryptingSerializer} (header placement) and by the Streams app (sealed
 * keys) → rotate → a re-key deployment → rotate again, the same deployment keeps running and
 * moves what it reads to the new version → a second pass → {@code fieldseal inspect} proves that
 * nothing needs the two old versions → they are disabled → {@code DecryptFields}, the
 * deserializer and Streams {@code decrypt} restore every key and value exactly, while inspect of
 * a topic that was not re-keyed fails the gate. Every record of every re-keyed topic is checked
 * for the header/envelope invariant.
 *
 * <p>The Connect transforms are applied as a worker applies them (JsonConverter with schemas and
 * the worker's default SimpleHeaderConverter around them), without a worker: what is under test
 * here is key retirement, and plugin loading is covered in the smt module.
 */
class RetireKeyVersionRunbookTest {

    private static final String KEY = "pii";
    private static final int PER_BATCH = 4;
    private static final String SSN = "912-34-5678";
    private static final String EMAIL = "grace.retire@example.org";

    static KafkaBroker broker;
    static KeyVaultDouble vault;

    @TempDir
    static Path dir;

    static final Schema CONNECT_KEY = SchemaBuilder.struct().name("dev.fieldseal.interop.Key")
            .field("email", Schema.STRING_SCHEMA).build();
    static final Schema CONNECT_VALUE = SchemaBuilder.struct().name("dev.fieldseal.interop.Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("ssn", Schema.OPTIONAL_STRING_SCHEMA)
            .field("balance", Decimal.builder(2).optional().build())
            .field("name", Schema.STRING_SCHEMA)
            .build();

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        vault = new KeyVaultDouble();
        for (String t : List.of("connect.sealed", "serde.sealed", "streams.plain", "streams.sealed",
                "connect.r1", "serde.r1", "streams.r1", "connect.r2", "serde.r2", "streams.r2",
                "streams.opened", "events", "dlq")) {
            broker.createTopic(t, 2);
        }
    }

    @AfterAll
    static void stop() {
        if (vault != null) {
            vault.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void retireTwoVersionsWithoutLosingAByte() throws Exception {
        String v1 = vault.createRsaKey(KEY);
        String detV1;
        try (Kms kms = kms()) {
            detV1 = DeterministicKey.create(kms, vault.keyId(KEY));
        }

        // Records sealed under v1 by every host, keys and values.
        sealBatch(0, detV1);
        assertAll("connect.sealed", Set.of(v1), PER_BATCH);

        // 1. Rotate: the hosts follow (new instances resolve the newest version; see the rotation tests for events).
        String v2 = vault.rotate(KEY);
        // 2. Deterministic fields and keys get the same DEK wrapped by v2.
        String detV2 = rewrap(detV1);
        sealBatch(1, detV2);
        assertEquals(Set.of(v1, v2), versionsIn("serde.sealed", 2 * PER_BATCH));

        // 3. Re-key with a deployment that keeps running.
        List<ConsumerRecord<byte[], byte[]>> sealedConnect = read("connect.sealed", 2 * PER_BATCH);
        try (StreamsService r1 = FieldsealStreamsApp.launch(rekeyConfig("runbook-rekey-1", "sealed", "r1", detV2))) {
            awaitRunning(r1);
            for (String host : List.of("connect", "serde", "streams")) {
                assertAll(host + ".r1", Set.of(v2), 2 * PER_BATCH);
            }

            // Rotate again: the running deployment follows the event and moves what it reads from
            // now on to v3, never labelling a record with a version its envelopes do not use
            // (a replayed v1 record whose DEKs it already re-wrapped for v2).
            String v3 = vault.rotate(KEY);
            publishRotation(v3);
            until(Duration.ofSeconds(30), "the rekey deployment follows the rotation",
                    () -> r1.appMetrics().rotationRefreshes() >= 1);
            ConsumerRecord<byte[], byte[]> replay = sealedConnect.get(0);
            produce("connect.sealed", replay.key(), replay.value(), replay.headers());
            List<ConsumerRecord<byte[], byte[]>> r1Connect = read("connect.r1", 2 * PER_BATCH + 1);
            r1Connect.forEach(RetireKeyVersionRunbookTest::assertInvariant);
            // The record and its replay went out twice, with the same ciphertexts: under v2, then under v3.
            Set<Set<String>> replayed = new java.util.HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : r1Connect) {
                if (bodies(r).equals(bodies(replay))) {
                    replayed.add(versions(r));
                }
            }
            assertEquals(Set.of(Set.of(v2), Set.of(v3)), replayed, "the replayed record");

            // A second pass over the topics readers use now.
            String detV3 = rewrap(detV2);
            try (StreamsService r2 = FieldsealStreamsApp.launch(rekeyConfig("runbook-rekey-2", "r1", "r2", detV3))) {
                awaitRunning(r2);
                assertAll("connect.r2", Set.of(v3), 2 * PER_BATCH + 1);
                assertAll("serde.r2", Set.of(v3), 2 * PER_BATCH);
                assertAll("streams.r2", Set.of(v3), 2 * PER_BATCH);
            }

            // 4. Prove that nothing still needs v1 or v2, without calling Key Vault.
            int kvRequests = vault.requestLog().size();
            for (String t : List.of("connect.r2", "serde.r2", "streams.r2")) {
                assertEquals(0, inspect(t, v1, v2), "inspect gate on " + t);
            }
            assertNotEquals(0, inspect("connect.sealed", v1, v2), "a topic not re-keyed fails the gate");
            assertEquals(kvRequests, vault.requestLog().size(), "inspect makes no Key Vault request");

            // 5. Disable v1 and v2: every reader still restores every key and value exactly.
            vault.setEnabled(KEY, v1, false);
            vault.setEnabled(KEY, v2, false);
            readConnect(read("connect.r2", 2 * PER_BATCH + 1));
            readSerde(read("serde.r2", 2 * PER_BATCH));
            readStreams();
        }
    }

    // ---- sealing under the current version, by every host ------------------------------------------

    /** Seals records {@code batch*PER_BATCH ..} through each host under the key's newest version. */
    private void sealBatch(int batch, String deterministicDek) throws Exception {
        int from = batch * PER_BATCH;
        sealWithConnect(from, deterministicDek);
        sealWithSerializers(from, deterministicDek);
        sealWithStreams(from, deterministicDek);
    }

    private void sealWithConnect(int from, String detDek) {
        Map<String, Object> value = vaultProps();
        value.put("fields", "ssn,balance");
        Map<String, Object> key = vaultProps();
        key.put("deterministic.fields", "email");
        key.put("deterministic.dek", detDek);
        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        try (EncryptFields.Key<SourceRecord> k = new EncryptFields.Key<>();
             EncryptFields.Value<SourceRecord> v = new EncryptFields.Value<>()) {
            k.configure(key);
            v.configure(value);
            for (int i = from; i < from + PER_BATCH; i++) {
                SourceRecord r = new SourceRecord(Map.of(), Map.of(), "connect.sealed", null,
                        CONNECT_KEY, connectKey(i), CONNECT_VALUE, connectValue(i));
                SourceRecord sealed = v.apply(k.apply(r));
                RecordHeaders h = WorkerFormats.toKafka(sealed);
                produce("connect.sealed", keys.fromConnectData("connect.sealed", sealed.keySchema(), sealed.key()),
                        values.fromConnectData("connect.sealed", sealed.valueSchema(), sealed.value()), h);
            }
        }
    }

    private void sealWithSerializers(int from, String detDek) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        vaultProps().forEach((k, v) -> p.put("fieldseal." + k, v));
        p.put("fieldseal.format", "json");
        p.put("fieldseal.envelope.placement", "header");
        p.put("fieldseal.fields", "ssn");
        p.put("fieldseal.deterministic.dek", detDek);
        // The key serializer and the value serializer of one producer share these settings; the key's
        // field is deterministic, the value's randomized.
        Map<String, Object> keyProps = new HashMap<>(p);
        keyProps.put("fieldseal.fields", "");
        keyProps.put("fieldseal.deterministic.fields", "email");
        EncryptingSerializer keySer = new EncryptingSerializer();
        keySer.configure(keyProps, true);
        EncryptingSerializer valueSer = new EncryptingSerializer();
        valueSer.configure(p, false);
        try (KafkaProducer<Object, Object> producer = new KafkaProducer<>(p, keySer, valueSer)) {
            for (int i = from; i < from + PER_BATCH; i++) {
                producer.send(new ProducerRecord<>("serde.sealed", jsonKey(i), jsonValue(i)));
            }
            producer.flush();
        }
    }

    private void sealWithStreams(int from, String detDek) throws Exception {
        Map<String, String> p = streamsBase("runbook-encrypt", "encrypt", detDek);
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", "streams.plain");
        p.put("fieldseal.route.customers.output", "streams.sealed");
        p.put("fieldseal.route.customers.fields", "ssn"); // balance stays plain: its "1310.70" must survive
        p.put("fieldseal.route.customers.key.format", "string");
        try (StreamsService enc = StreamsService.start(AppSettings.parse(p))) {
            awaitRunning(enc);
            for (int i = from; i < from + PER_BATCH; i++) {
                produce("streams.plain", email(i).getBytes(StandardCharsets.UTF_8), bytes(jsonValue(i)),
                        new RecordHeaders());
            }
            read("streams.sealed", from + PER_BATCH);
        }
    }

    // ---- re-keying ------------------------------------------------------------------------------

    private Path rekeyConfig(String appId, String from, String to, String detDek) throws Exception {
        Map<String, String> p = streamsBase(appId, "rekey", detDek);
        p.put("fieldseal.routes", "connect,serde,streams");
        for (String host : List.of("connect", "serde", "streams")) {
            p.put("fieldseal.route." + host + ".input", host + "." + from);
            p.put("fieldseal.route." + host + ".output", host + "." + to);
        }
        p.put("fieldseal.rotation.events.topic", "events");
        java.util.Properties props = new java.util.Properties();
        props.putAll(p);
        Path f = dir.resolve(appId + ".properties");
        try (var w = java.nio.file.Files.newBufferedWriter(f)) {
            props.store(w, null);
        }
        return f;
    }

    private static Map<String, String> streamsBase(String appId, String mode, String detDek) {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("processing.guarantee", "exactly_once_v2");
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("auto.offset.reset", "earliest");
        p.put("fieldseal.mode", mode);
        vaultProps().forEach((k, v) -> p.put("fieldseal." + k, v.toString()));
        p.put("fieldseal.deterministic.dek", detDek);
        p.put("fieldseal.dlq.topic", "dlq");
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        return p;
    }

    private void publishRotation(String version) {
        String event = """
                {"specversion":"1.0","id":"%s","source":"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v",
                 "subject":"%s","type":"Microsoft.KeyVault.KeyNewVersionCreated","time":"2026-12-03T00:00:00Z",
                 "data":{"Id":"%s","VaultName":"v","ObjectType":"Key","ObjectName":"%s","Version":"%s"}}"""
                .formatted(UUID.randomUUID(), KEY, vault.keyId(KEY, version), KEY, version);
        produce("events", null, event.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
    }

    private static String rewrap(String current) {
        try (Kms kms = kms()) {
            return dev.fieldseal.dek.DeterministicDekTool.rewrap(kms, vault.keyId(KEY), current);
        }
    }

    // ---- inspect ---------------------------------------------------------------------------------

    /** {@code fieldseal inspect --fail-if-version …} over one topic; its exit code. */
    private static int inspect(String topic, String... versions) {
        List<String> args = new ArrayList<>(List.of("inspect", "--bootstrap-server", broker.bootstrapServers(),
                "--topic", topic));
        for (String v : versions) {
            args.add("--fail-if-version");
            args.add(v);
        }
        var cl = FieldsealStreamsApp.commandLine();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cl.setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new java.io.PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return cl.execute(args.toArray(String[]::new));
    }

    // ---- reading with every host, v1 and v2 disabled ------------------------------------------------

    private void readConnect(List<ConsumerRecord<byte[], byte[]>> records) {
        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        Map<String, Object> props = vaultProps();
        Set<Long> seen = new TreeSet<>();
        try (DecryptFields.Key<SinkRecord> k = new DecryptFields.Key<>();
             DecryptFields.Value<SinkRecord> v = new DecryptFields.Value<>()) {
            k.configure(props);
            v.configure(props);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                SchemaAndValue key = keys.toConnectData(r.topic(), r.key());
                SchemaAndValue value = values.toConnectData(r.topic(), r.value());
                ConnectHeaders h = WorkerFormats.toConnect(r);
                SinkRecord opened = v.apply(k.apply(new SinkRecord(r.topic(), r.partition(), key.schema(),
                        key.value(), value.schema(), value.value(), r.offset(), r.timestamp(), null, h)));
                Struct ov = (Struct) opened.value();
                long id = ov.getInt64("id");
                assertEquals(connectValue((int) id), ov, "value " + id);
                assertEquals(connectKey((int) id), opened.key(), "key " + id);
                assertEquals(CONNECT_VALUE, opened.valueSchema(), "schema restored");
                seen.add(id);
            }
        }
        assertEquals(2 * PER_BATCH, seen.size());
    }

    private void readSerde(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Object> p = new HashMap<>();
        vaultProps().forEach((k, v) -> p.put("fieldseal." + k, v));
        p.put("fieldseal.format", "json");
        try (DecryptingDeserializer keys = new DecryptingDeserializer();
             DecryptingDeserializer values = new DecryptingDeserializer()) {
            keys.configure(p, true);
            values.configure(p, false);
            Map<String, String> opened = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                opened.put(keys.deserialize(r.topic(), r.headers(), r.key()).toString(),
                        values.deserialize(r.topic(), r.headers(), r.value()).toString());
            }
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < 2 * PER_BATCH; i++) {
                expected.put(jsonKey(i), jsonValue(i));
            }
            assertEquals(expected, opened, "the producers' exact JSON, keys and values");
        }
    }

    private void readStreams() throws Exception {
        Map<String, String> p = streamsBase("runbook-decrypt", "decrypt", "");
        p.remove("fieldseal.deterministic.dek");
        p.put("fieldseal.routes", "customers");
        p.put("fieldseal.route.customers.input", "streams.r2");
        p.put("fieldseal.route.customers.output", "streams.opened");
        try (StreamsService dec = StreamsService.start(AppSettings.parse(p))) {
            awaitRunning(dec);
            Map<String, String> opened = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read("streams.opened", 2 * PER_BATCH)) {
                opened.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
                assertNull(r.headers().lastHeader("fieldseal.kek.version"), "fully opened: no annotation");
            }
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < 2 * PER_BATCH; i++) {
                expected.put(email(i), jsonValue(i));
            }
            assertEquals(expected, opened, "the exact bytes that went in, keys and values");
        }
    }

    // ---- the invariant, over whole topics ---------------------------------------------------------


    /** Every record of the topic holds sealed data under exactly {@code versions}, and says so in its headers. */
    private static void assertAll(String topic, Set<String> versions, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = read(topic, expected);
        assertEquals(expected, records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertInvariant(r);
            assertEquals(versions, versions(r), topic + "@" + r.offset());
            assertFalse(contains(r.value(), SSN) || contains(r.key(), EMAIL), "no plaintext in " + topic);
        }
    }

    private static Set<String> versionsIn(String topic, int records) {
        Set<String> out = new TreeSet<>();
        read(topic, records).forEach(r -> out.addAll(versions(r)));
        return out;
    }

    private static Set<String> versions(ConsumerRecord<byte[], byte[]> r) {
        Set<String> out = new TreeSet<>();
        scan(r).keks().forEach(k -> out.add(k.version()));
        return out;
    }

    /** Nonce, ciphertext and tag of every envelope of the record, in order: what a re-key never changes. */
    private static List<String> bodies(ConsumerRecord<byte[], byte[]> r) {
        List<String> out = new ArrayList<>();
        for (byte[] side : java.util.Arrays.asList(r.key(), r.value())) {
            for (Located l : locate(side)) {
                var e = dev.fieldseal.format.EnvelopeLayout.parse(l.envelope());
                out.add(java.util.HexFormat.of().formatHex(e.body()) + "/"
                        + (e.nonce() == null ? "" : java.util.HexFormat.of().formatHex(e.nonce())));
            }
        }
        return out;
    }

    static void assertInvariant(ConsumerRecord<byte[], byte[]> r) {
        RecordScan s = scan(r);
        assertTrue(s.keyEnvelopes() > 0 && s.valueEnvelopes() > 0, r.topic() + "@" + r.offset() + ": key and value sealed");
        assertEquals(0, s.malformed(), r.topic() + "@" + r.offset());
        assertNull(s.mismatch(), r.topic() + "@" + r.offset());
    }

    private static RecordScan scan(ConsumerRecord<byte[], byte[]> r) {
        return RecordScan.of(r.headers(), locate(r.key()), locate(r.value()));
    }

    private static List<Located> locate(byte[] b) {
        try {
            return EnvelopeLocator.auto(b);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }


    // ---- data ------------------------------------------------------------------------------------

    private static String email(int i) {
        return i == 0 ? EMAIL : "customer-" + i + "@example.org";
    }

    private static Struct connectKey(int i) {
        return new Struct(CONNECT_KEY).put("email", email(i));
    }

    private static Struct connectValue(int i) {
        return new Struct(CONNECT_VALUE).put("id", (long) i).put("ssn", i == 0 ? SSN : "900-00-000" + i)
                .put("balance", new BigDecimal("1310.7" + i)).put("name", "Grace " + i);
    }

    private static String jsonKey(int i) {
        return "{\"email\":\"" + email(i) + "\"}";
    }

    /** Spacing and number spelling a re-serializing re-key would change. */
    private static String jsonValue(int i) {
        return "{\"id\": " + i + ", \"ssn\":\"" + (i == 0 ? SSN : "900-00-000" + i) + "\", \"balance\": 1310.70, "
                + "\"name\":\"Grace " + i + "\"}";
    }

    // ---- plumbing -------------------------------------------------------------------------------

    static Map<String, Object> vaultProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(FieldsealConfig.KEK_ID, vault.keyId(KEY));
        p.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        p.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        p.put(FieldsealConfig.KEK_REFRESH_MS, "3600000");
        p.put("kms.retry.backoff.ms", "50");
        return p;
    }

    private static Kms kms() {
        return KmsFactory.create(vault.keyId(KEY), new FieldsealConfig(vaultProps()), new FieldsealMetrics());
    }

    private static JsonConverter converter(boolean isKey) {
        return WorkerFormats.json(true, isKey);
    }

    private static void awaitRunning(StreamsService s) throws InterruptedException {
        StreamsRuns.awaitRunning(s);
    }

    private static void produce(String topic, byte[] key, byte[] value, Iterable<org.apache.kafka.common.header.Header> headers) {
        new TopicIo(broker).produce(topic, key, value, headers);
    }

    /** Every record of a topic, from the start; waits until there are at least {@code n}. */
    static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        return new TopicIo(broker).read(topic, n);
    }

    private static boolean contains(byte[] hay, String needle) {
        return hay != null && new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
