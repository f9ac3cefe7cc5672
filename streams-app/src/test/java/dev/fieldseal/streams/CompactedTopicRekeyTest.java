package dev.fieldseal.streams;

import static dev.fieldseal.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fieldseal.config.FieldsealConfig;
import dev.fieldseal.dek.DeterministicDekTool;
import dev.fieldseal.dek.DeterministicKey;
import dev.fieldseal.kms.Kms;
import dev.fieldseal.kms.KmsFactory;
import dev.fieldseal.metrics.FieldsealMetrics;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-keying a compacted topic in place on a broker whose log cleaner runs often: the app writes
 * the moved records (and tombstones of the keys whose bytes changed) back into the topic it
 * reads, writes nothing it has already moved, and once the cleaner has replaced the old records
 * and the tombstones have expired, {@code fieldseal inspect} shows that nothing needs the old
 * version, which is then disabled while every key and value still decrypts.
 */
class CompactedTopicRekeyTest {

    private static final int RECORDS = 5;
    private int fillers;
    static KafkaBroker broker;
    static KeyVaultDouble vault;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start(Map.of("log.cleaner.backoff.ms", "100"));
        vault = new KeyVaultDouble();
        broker.createTopic("plain");
        broker.createTopic("opened");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("customers", 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact",
                    "segment.ms", "100",
                    "min.cleanable.dirty.ratio", "0.01",
                    "min.compaction.lag.ms", "0",
                    "delete.retention.ms", "100")))).all().get();
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

    private static Map<String, String> props(String appId, String mode, String dek) {
        Map<String, String> p = new HashMap<>();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("commit.interval.ms", "100");
        p.put("auto.offset.reset", "earliest");
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.kek.id", vault.keyId("customers"));
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kek.refresh.ms", "3600000");
        p.put("fieldseal.deterministic.dek", dek);
        p.put("fieldseal.http.port", "-1");
        p.put("fieldseal.routes", "r");
        return p;
    }

    private static Kms kms() {
        Map<String, Object> c = new HashMap<>();
        c.put(FieldsealConfig.KEK_ID, vault.keyId("customers"));
        c.put(FieldsealConfig.AZURE_CREDENTIAL, "emulator");
        c.put(FieldsealConfig.AZURE_TLS_CA_FILE, vault.caPemFile().toString());
        return KmsFactory.create(vault.keyId("customers"), new FieldsealConfig(c), new FieldsealMetrics());
    }

    @Test
    void rekeyInPlaceSettlesAndTheCleanerLeavesNothingUnderTheOldVersion() throws Exception {
        String v1 = vault.createRsaKey("customers");
        String dekV1;
        try (Kms kms = kms()) {
            dekV1 = DeterministicKey.create(kms, vault.keyId("customers"));
        }
        Map<String, String> enc = props("compacted-encrypt", "encrypt", dekV1);
        enc.put("fieldseal.route.r.input", "plain");
        enc.put("fieldseal.route.r.output", "customers");
        enc.put("fieldseal.route.r.fields", "ssn");
        enc.put("fieldseal.route.r.key.format", "string");
        try (StreamsService s = StreamsService.start(AppSettings.parse(enc))) {
            Fixtures.awaitRunning(s);
            KafkaIo.produce(broker.bootstrapServers(), "plain", keys(), values());
            KafkaIo.read(broker.bootstrapServers(), "customers", RECORDS, Duration.ofSeconds(60));
        }
        assertEquals(3, inspect(v1), "everything needs " + v1 + " before the re-key");

        String v2 = vault.rotate("customers");
        String dekV2;
        try (Kms kms = kms()) {
            dekV2 = DeterministicDekTool.rewrap(kms, vault.keyId("customers"), dekV1);
        }
        Map<String, String> rk = props("compacted-rekey", "rekey", dekV2);
        rk.put("fieldseal.route.r.input", "customers");
        rk.put("fieldseal.route.r.output", "customers");
        try (StreamsService s = StreamsService.start(AppSettings.parse(rk))) {
            Fixtures.awaitRunning(s);
            // It reads its own 5 moved records and 5 tombstones back, and writes none of them again.
            until(Duration.ofSeconds(60), "the in-place re-key settles", () -> s.appMetrics().rekeyedRecords() == RECORDS
                    && s.appMetrics().settledRecords() == 2 * RECORDS);
            // Each filler record rolls the active segment, so the cleaner gets to the old records and
            // then to the expired tombstones.
            fillers = 0;
            until(Duration.ofSeconds(90), "the cleaner removes every record that needs " + v1, () -> {
                KafkaIo.produce(broker.bootstrapServers(), "customers",
                        List.of(("filler-" + fillers++).getBytes(StandardCharsets.UTF_8)),
                        List.of("{}".getBytes(StandardCharsets.UTF_8)));
                return inspect(v1) == 0;
            });
            assertEquals(RECORDS, s.appMetrics().rekeyedRecords(), "settled: nothing was moved twice");
        }

        vault.setEnabled("customers", v1, false);
        Map<String, String> dec = props("compacted-decrypt", "decrypt", dekV2);
        dec.put("fieldseal.route.r.input", "customers");
        dec.put("fieldseal.route.r.output", "opened");
        try (StreamsService s = StreamsService.start(AppSettings.parse(dec))) {
            Fixtures.awaitRunning(s);
            Map<String, String> opened = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : KafkaIo.read(broker.bootstrapServers(), "opened",
                    RECORDS + fillers, Duration.ofSeconds(60))) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (!key.startsWith("filler-")) {
                    opened.put(key, new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < RECORDS; i++) {
                expected.put(email(i), Fixtures.customerJson(i));
            }
            assertEquals(expected, opened, "every key and value of the compacted topic, with " + v1 + " disabled");
            assertEquals(0, s.appMetrics().deadLettered());
        }
        assertNotEquals(v1, v2);
    }

    /** {@code fieldseal inspect --topic customers --fail-if-version v}: its exit code. */
    private static int inspect(String version) {
        var cl = FieldsealStreamsApp.commandLine();
        cl.setOut(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return cl.execute("inspect", "--bootstrap-server", broker.bootstrapServers(), "--topic", "customers",
                "--fail-if-version", version);
    }

    private static String email(int i) {
        return "customer-" + i + "@example.org";
    }

    private static List<byte[]> keys() {
        return IntStream.range(0, RECORDS).mapToObj(i -> email(i).getBytes(StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private static List<byte[]> values() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            out.add(Fixtures.customerJson(i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
