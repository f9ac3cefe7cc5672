package dev.fieldseal.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldseal.testkit.KafkaBroker;
import dev.fieldseal.testkit.KeyVaultDouble;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key per tenant through the Streams app on a real broker with the Key Vault double: encrypt
 * seals 1,000 tenants' records each under {@code tenant-${value.tenant}} with one Key Vault
 * request per tenant key; rekey moves a rotated tenant's values to that tenant key's newest version
 * (and no other), unwrapping only its DEK; decrypt, allowed every {@code tenant-*} key, opens every
 * tenant but a shredded one, whose record goes to the dead-letter topic naming its key; encrypt
 * dead-letters a record whose tenant key was deleted and seals the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamsTenantKeysTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int TENANTS = 1_000;
    static KafkaBroker broker;
    static KeyVaultDouble vault;
    static final Map<Integer, String> versions = new HashMap<>();
    static List<ConsumerRecord<byte[], byte[]>> sealed;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        vault = new KeyVaultDouble();
        vault.createRsaKeys("tenant-", TENANTS);
        for (int t = 0; t < TENANTS; t++) {
            versions.put(t, vault.currentVersion("tenant-" + t));
        }
        broker = KafkaBroker.start();
        for (String topic : List.of("tk-in", "tk-sealed", "tk-rekeyed", "tk-plain", "tk-dlq", "tk-in2", "tk-sealed2",
                "tk-dlq2")) {
            broker.createTopic(topic, 1);
        }
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
            keys.add(("k" + t).getBytes(StandardCharsets.UTF_8));
            values.add(("{\"tenant\":\"" + t + "\",\"ssn\":\"SSN-" + t + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        KafkaIo.produce(broker.bootstrapServers(), "tk-in", keys, values);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (vault != null) {
            vault.close();
        }
    }

    static Path config(String appId, String mode, String in, String out, String... more) throws Exception {
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("commit.interval.ms", "100");
        p.put("num.stream.threads", "1");
        p.put("state.dir", dir.resolve("state-" + appId).toString());
        p.put("fieldseal.mode", mode);
        p.put("fieldseal.kek.id", vault.vaultUrl() + "/keys/tenant-${value.tenant}");
        p.put("fieldseal.azure.credential", "emulator");
        p.put("fieldseal.azure.tls.ca.file", vault.caPemFile().toString());
        p.put("fieldseal.kms.retry.max", "0");
        p.put("fieldseal.routes", "c");
        p.put("fieldseal.route.c.input", in);
        p.put("fieldseal.route.c.output", out);
        p.put("fieldseal.route.c.fields", "ssn");
        p.put("fieldseal.dlq.topic", "tk-dlq");
        p.put("fieldseal.http.port", "0");
        p.put("fieldseal.http.bind.address", "127.0.0.1");
        p.put("fieldseal.shutdown.timeout.ms", "10000");
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        Path f = dir.resolve(appId + ".properties");
        try (var w = Files.newBufferedWriter(f)) {
            p.store(w, null);
        }
        return f;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static int tenantOf(ConsumerRecord<byte[], byte[]> r) {
        return Integer.parseInt(new String(r.key(), StandardCharsets.UTF_8).substring(1));
    }

    @Test
    @Order(1)
    void encryptSealsEachTenantUnderItsOwnKeyWithOneKeyVaultRequestPerTenant() throws Exception {
        vault.reset();
        try (StreamsService svc = FieldsealStreamsApp.launch(config("tk-encrypt", "encrypt", "tk-in", "tk-sealed"))) {
            Fixtures.awaitRunning(svc);
            sealed = KafkaIo.read(broker.bootstrapServers(), "tk-sealed", TENANTS, Duration.ofSeconds(120));
        }
        assertEquals(TENANTS, vault.count("get"), "one resolve per tenant key");
        assertEquals(0, vault.count("wrapkey") + vault.count("unwrapkey") + vault.count("versions"),
                "RSA keys wrap locally");
        for (ConsumerRecord<byte[], byte[]> r : sealed) {
            int t = tenantOf(r);
            assertEquals(vault.keyId("tenant-" + t), header(r, "fieldseal.kek.id"));
            assertEquals(versions.get(t), header(r, "fieldseal.kek.version"));
            assertFalse(new String(r.value(), StandardCharsets.UTF_8).contains("SSN-"), "sealed");
        }
    }

    @Test
    @Order(2)
    void rekeyMovesARotatedTenantToItsOwnNewestVersionAndLeavesTheOthers() throws Exception {
        String v2 = vault.rotate("tenant-7");
        vault.reset();
        List<ConsumerRecord<byte[], byte[]>> out;
        try (StreamsService svc = FieldsealStreamsApp.launch(config("tk-rekey", "rekey", "tk-sealed", "tk-rekeyed",
                "fieldseal.kek.allowed", vault.vaultUrl() + "/keys/tenant-*"))) {
            Fixtures.awaitRunning(svc);
            out = KafkaIo.read(broker.bootstrapServers(), "tk-rekeyed", TENANTS, Duration.ofSeconds(120));
        }
        assertEquals(1, vault.count("unwrapkey"), "only the rotated tenant's DEK is unwrapped");
        for (ConsumerRecord<byte[], byte[]> r : out) {
            int t = tenantOf(r);
            assertEquals(vault.keyId("tenant-" + t), header(r, "fieldseal.kek.id"), "each value keeps its key");
            assertEquals(t == 7 ? v2 : versions.get(t), header(r, "fieldseal.kek.version"));
        }
        assertNotEquals(versions.get(7), v2);
    }

    @Test
    @Order(3)
    void decryptOpensEveryTenantButAShreddedOneWhoseRecordIsDeadLetteredNamingItsKey() throws Exception {
        vault.setEnabled("tenant-3", versions.get(3), false);
        try (StreamsService svc = FieldsealStreamsApp.launch(config("tk-decrypt", "decrypt", "tk-sealed", "tk-plain",
                "fieldseal.kek.allowed", vault.vaultUrl() + "/keys/tenant-${value.tenant}"))) {
            Fixtures.awaitRunning(svc);
            List<ConsumerRecord<byte[], byte[]>> plain = KafkaIo.read(broker.bootstrapServers(), "tk-plain",
                    TENANTS - 1, Duration.ofSeconds(120));
            List<ConsumerRecord<byte[], byte[]>> dlq = KafkaIo.read(broker.bootstrapServers(), "tk-dlq", 1,
                    Duration.ofSeconds(60));
            for (ConsumerRecord<byte[], byte[]> r : plain) {
                int t = tenantOf(r);
                assertNotEquals(3, t);
                JsonNode v = JSON.readTree(r.value());
                assertEquals("SSN-" + t, v.get("ssn").asText());
            }
            assertEquals(3, tenantOf(dlq.get(0)));
            String error = header(dlq.get(0), DeadLetters.ERROR_MESSAGE);
            assertTrue(error.contains(vault.keyId("tenant-3")), error);
            assertFalse(error.contains("SSN-3"), error);
        } finally {
            vault.setEnabled("tenant-3", versions.get(3), true);
        }
    }

    @Test
    @Order(4)
    void encryptDeadLettersARecordOfAShreddedTenantAndSealsTheOthers() throws Exception {
        vault.deleteKey("tenant-9");
        KafkaIo.produce(broker.bootstrapServers(), "tk-in2",
                List.of("k8".getBytes(StandardCharsets.UTF_8), "k9".getBytes(StandardCharsets.UTF_8),
                        "k10".getBytes(StandardCharsets.UTF_8)),
                List.of(("{\"tenant\":\"8\",\"ssn\":\"SSN-8\"}").getBytes(StandardCharsets.UTF_8),
                        ("{\"tenant\":\"9\",\"ssn\":\"SSN-9\"}").getBytes(StandardCharsets.UTF_8),
                        ("{\"tenant\":\"10\",\"ssn\":\"SSN-10\"}").getBytes(StandardCharsets.UTF_8)));
        try (StreamsService svc = FieldsealStreamsApp.launch(config("tk-encrypt2", "encrypt", "tk-in2", "tk-sealed2",
                "fieldseal.dlq.topic", "tk-dlq2"))) {
            Fixtures.awaitRunning(svc);
            List<ConsumerRecord<byte[], byte[]>> out = KafkaIo.read(broker.bootstrapServers(), "tk-sealed2", 2,
                    Duration.ofSeconds(60));
            List<ConsumerRecord<byte[], byte[]>> dlq = KafkaIo.read(broker.bootstrapServers(), "tk-dlq2", 1,
                    Duration.ofSeconds(60));
            assertEquals(List.of(8, 10), out.stream().map(StreamsTenantKeysTest::tenantOf).toList());
            for (ConsumerRecord<byte[], byte[]> r : out) {
                assertEquals(vault.keyId("tenant-" + tenantOf(r)), header(r, "fieldseal.kek.id"));
            }
            assertEquals(9, tenantOf(dlq.get(0)));
            String error = header(dlq.get(0), DeadLetters.ERROR_MESSAGE);
            assertTrue(error.contains(vault.keyId("tenant-9")), error);
            assertFalse(error.contains("SSN-9"), error);
        }
    }
}
